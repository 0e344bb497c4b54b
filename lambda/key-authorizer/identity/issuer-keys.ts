import type { IssuerConfig, JwksFetchConfig, PinnedJwk } from '../config/issuer-config';
import { parseFetchedJwks, type FetchedJwks } from '../config/issuer-config';
import type { JwksFetcher } from './jwks-fetch';

/**
 * What the JWKS fetch did for one request: `fetched`/`failed` when this request made the fetch,
 * `joined` when it waited for one already under way, `cooldown` when a fetch was due but refused.
 */
export type JwksFetchOutcome = 'fetched' | 'failed' | 'joined' | 'cooldown';

export interface JwksFetchReport {
  outcome: JwksFetchOutcome;
  /** Whether the issuer's keys could be read (false after a failed fetch, also when joined or cooled down). */
  available: boolean;
  /** Milliseconds this request waited for the fetch. */
  ms: number;
  /** Whole seconds (≥ 1) until this container may fetch the issuer's keys again. */
  nextFetchInSeconds: number;
  /** Keys of the fetched set that were left out, and why (only on the request that made the fetch). */
  skippedKeys?: string[];
}

interface FetchedKeys {
  keys: Map<string, PinnedJwk>;
  fetchedAtMs: number;
}

/**
 * A key the provider published just after our fetch would otherwise wait out the whole cooldown. So
 * once per cooldown, a `kid` the last (successful) fetch did not know may fetch again early, when
 * that fetch is at least this old: a made-up-kid flood then costs two fetches per cooldown, not one.
 */
export const EARLY_REFETCH_AFTER_SECONDS = 5;

/**
 * The keys of one trusted issuer in this container: the pinned ones (never expire) and those last
 * fetched from its `jwksUri` (trusted for `maxKeyAgeSeconds` after that fetch). Fetches happen only
 * when a token names a `kid` we do not hold: at most one per cooldown, plus one early refetch (above),
 * and concurrent requests share the one fetch under way.
 */
export class IssuerKeys {
  private readonly pinned: Map<string, PinnedJwk>;
  private fetched: FetchedKeys | undefined;
  private lastAttempt: { atMs: number; ok: boolean } | undefined;
  /** When the current cooldown began (its first fetch), and whether its early refetch was spent. */
  private cooldown: { startedMs: number; earlyRefetchSpent: boolean } | undefined;
  private inFlight: Promise<boolean> | undefined;

  constructor(
    readonly issuer: IssuerConfig,
    private readonly settings: Pick<JwksFetchConfig, 'cooldownSeconds' | 'maxKeyAgeSeconds'>,
    private readonly fetchJwks: JwksFetcher,
    private readonly now: () => number,
    /** Told the usable key set after each successful fetch (the signature verifier caches it). */
    private readonly onKeys: (keys: PinnedJwk[]) => void,
  ) {
    this.pinned = new Map((issuer.jwks?.keys ?? []).map((k) => [k.kid, k]));
  }

  /** The key for `kid` if it is pinned, or was fetched less than the bound ago. */
  find(kid: string): PinnedJwk | undefined {
    const pinned = this.pinned.get(kid);
    if (pinned) return pinned;
    if (this.fetched === undefined || this.now() - this.fetched.fetchedAtMs >= this.settings.maxKeyAgeSeconds * 1000) return undefined;
    return this.fetched.keys.get(kid);
  }

  /** Whether an unknown kid may send us to the issuer's JWKS URL at all. */
  get canFetch(): boolean {
    return this.issuer.jwksUri !== undefined;
  }

  /**
   * Refreshes the fetched keys for a `kid` we do not hold, unless a fetch is under way (joined) or the
   * cooldown forbids one.
   */
  async refresh(): Promise<JwksFetchReport> {
    const startedMs = this.now();
    if (this.inFlight) {
      const available = await this.inFlight;
      return { outcome: 'joined', available, ms: this.now() - startedMs, nextFetchInSeconds: this.nextFetchInSeconds() };
    }
    const due = this.fetchDue(startedMs);
    if (due === undefined) {
      return { outcome: 'cooldown', available: this.lastAttempt?.ok ?? false, ms: 0, nextFetchInSeconds: this.nextFetchInSeconds() };
    }
    if (due === 'new-cooldown') this.cooldown = { startedMs, earlyRefetchSpent: false };
    else if (this.cooldown) this.cooldown.earlyRefetchSpent = true;
    let skippedKeys: string[] = [];
    this.inFlight = this.fetchOnce(startedMs, (skipped) => (skippedKeys = skipped));
    try {
      const available = await this.inFlight;
      const report: JwksFetchReport = {
        outcome: available ? 'fetched' : 'failed',
        available,
        ms: this.now() - startedMs,
        nextFetchInSeconds: this.nextFetchInSeconds(),
      };
      if (skippedKeys.length > 0) report.skippedKeys = skippedKeys;
      return report;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Whether a fetch may start at `nowMs`: the first of a new cooldown, its one early refetch, or none. */
  private fetchDue(nowMs: number): 'new-cooldown' | 'early' | undefined {
    if (this.cooldown === undefined || nowMs >= this.cooldownEndsMs()) return 'new-cooldown';
    const early = this.earlyRefetchAtMs();
    return early !== undefined && nowMs >= early ? 'early' : undefined;
  }

  private cooldownEndsMs(): number {
    return (this.cooldown?.startedMs ?? 0) + this.settings.cooldownSeconds * 1000;
  }

  /** Only after a fetch that succeeded (and so did not know the kid), never after a failure: a provider that is down is left alone. */
  private earlyRefetchAtMs(): number | undefined {
    const last = this.lastAttempt;
    if (this.cooldown === undefined || this.cooldown.earlyRefetchSpent || !last?.ok) return undefined;
    const at = last.atMs + EARLY_REFETCH_AFTER_SECONDS * 1000;
    return at < this.cooldownEndsMs() ? at : undefined;
  }

  private nextFetchInSeconds(): number {
    const nextMs = this.earlyRefetchAtMs() ?? this.cooldownEndsMs();
    return Math.max(1, Math.ceil((nextMs - this.now()) / 1000));
  }

  private async fetchOnce(startedMs: number, onSkipped: (skipped: string[]) => void): Promise<boolean> {
    this.lastAttempt = { atMs: startedMs, ok: false };
    let fetched: FetchedJwks;
    try {
      fetched = parseFetchedJwks(await this.fetchJwks(this.issuer.jwksUri as string));
    } catch {
      // Fail closed: keys fetched before stay usable until their bound, nothing new is trusted.
      return false;
    }
    onSkipped(fetched.skipped);
    const { keys } = fetched;
    this.lastAttempt.ok = true;
    this.fetched = { keys: new Map(keys.map((k) => [k.kid, k])), fetchedAtMs: this.now() };
    // Pinned keys win over a fetched key of the same kid: the operator's copy is the bootstrap.
    this.onKeys([...this.pinned.values(), ...keys.filter((k) => !this.pinned.has(k.kid))]);
    return true;
  }
}

import type { IssuerConfig, JwksFetchConfig, PinnedJwk } from './issuer-config';
import { parseFetchedJwks } from './issuer-config';
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
}

interface FetchedKeys {
  keys: Map<string, PinnedJwk>;
  fetchedAtMs: number;
}

/**
 * The keys of one trusted issuer in this container: the pinned ones (never expire) and those last
 * fetched from its `jwksUri` (trusted for `maxKeyAgeSeconds` after that fetch). Fetches happen only
 * when a token names a `kid` we do not hold, at most once per cooldown, and concurrent requests
 * share the one fetch under way: a stream of made-up `kid`s costs the provider one GET per cooldown.
 */
export class IssuerKeys {
  private readonly pinned: Map<string, PinnedJwk>;
  private fetched: FetchedKeys | undefined;
  private lastAttempt: { atMs: number; ok: boolean } | undefined;
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

  /** Refreshes the fetched keys unless a fetch is under way (joined) or happened within the cooldown. */
  async refresh(): Promise<JwksFetchReport> {
    const startedMs = this.now();
    if (this.inFlight) {
      const available = await this.inFlight;
      return { outcome: 'joined', available, ms: this.now() - startedMs };
    }
    const last = this.lastAttempt;
    if (last && startedMs - last.atMs < this.settings.cooldownSeconds * 1000) {
      return { outcome: 'cooldown', available: last.ok, ms: 0 };
    }
    this.inFlight = this.fetchOnce(startedMs);
    try {
      const available = await this.inFlight;
      return { outcome: available ? 'fetched' : 'failed', available, ms: this.now() - startedMs };
    } finally {
      this.inFlight = undefined;
    }
  }

  private async fetchOnce(startedMs: number): Promise<boolean> {
    this.lastAttempt = { atMs: startedMs, ok: false };
    let keys: PinnedJwk[];
    try {
      keys = parseFetchedJwks(await this.fetchJwks(this.issuer.jwksUri as string));
    } catch {
      // Fail closed: keys fetched before stay usable until their bound, nothing new is trusted.
      return false;
    }
    this.lastAttempt.ok = true;
    this.fetched = { keys: new Map(keys.map((k) => [k.kid, k])), fetchedAtMs: this.now() };
    // Pinned keys win over a fetched key of the same kid: the operator's copy is the bootstrap.
    this.onKeys([...this.pinned.values(), ...keys.filter((k) => !this.pinned.has(k.kid))]);
    return true;
  }
}

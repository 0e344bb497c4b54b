import type { KeyDenial, KitSettings, TokenContext } from './kit-options';
import { decideKeyAction, type KeyAttempts, type KeyResponseFacts } from './key-response-policy';
import { REASON_HEADER } from '../../lambda/key-authorizer/contract/browser';
import { KeyOrigins, pageUrl } from './key-origins';
import { AnswerMemo } from './answer-memo';
export { REASON_HEADER };

export type KeyResult =
  | { kind: 'key'; bytes: ArrayBuffer; status: number }
  /** Refused for good in this playback (the player has been told to stop). */
  | { kind: 'denied'; denial: KeyDenial }
  /** Any other failure, left to the player's own error handling; status 0 when no response came. */
  | { kind: 'failed'; status: number; reason: string | null };

export interface KeyFetcherDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/**
 * Answers remembered per player: far more key URLs than a VOD title or a live DVR window holds at
 * once (256 keys: over 4 hours of a live channel with a key a minute), and bounded, so a player that
 * follows a live channel for days keeps flat memory.
 */
export const REMEMBERED_KEY_ANSWERS = 256;

/** A key is 16 bytes: a request still open after this long has failed. */
const KEY_REQUEST_TIMEOUT_MS = 20_000;

const browserDeps = (): KeyFetcherDeps => ({
  fetch: (input, init) => globalThis.fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
});

/**
 * Fetches keys for one player under the shared policy: one request per key URL (the answer, key or
 * refusal, is kept for the playback, so a player asking again costs nothing), the bearer token on
 * key requests only, one retry after a token refresh, one after a `jwks-unavailable`, bounded retries of a 503.
 */
export class KeyFetcher {
  private results = new AnswerMemo<Promise<KeyResult>>(REMEMBERED_KEY_ANSWERS);
  private token: string | undefined;
  /** Bumped by every refresh: a request sent with an older token is retried without refreshing again. */
  private tokenGeneration = 0;
  private refreshing: Promise<void> | undefined;
  private lastRefreshOk = true;
  /** Where credentials may go; the adapter names the source each time the player loads one. */
  readonly keyOrigins: KeyOrigins;

  constructor(
    private readonly settings: KitSettings,
    private readonly deps: KeyFetcherDeps = browserDeps(),
  ) {
    this.token = settings.token;
    this.keyOrigins = new KeyOrigins(settings.keyOrigins, pageUrl);
  }

  /** The key at this absolute URL, requested at most once while the answer (a key or a refusal) is remembered. */
  fetchKey(url: string): Promise<KeyResult> {
    let result = this.results.get(url);
    if (result === undefined) {
      result = this.load(url);
      this.results.set(url, result);
      // Only a final answer is kept: after any other failure the player's own retry asks the network again.
      const pending = result;
      void result.then((r) => r.kind === 'failed' && this.results.deleteIf(url, pending));
    }
    return result;
  }

  /** Forgets the keys and refusals of the previous playback (a new source); the token stays. */
  reset(): void {
    this.results = new AnswerMemo(REMEMBERED_KEY_ANSWERS);
  }

  private async load(url: string): Promise<KeyResult> {
    const attempts: KeyAttempts = { refreshed: false, unavailableRetries: 0, jwksRetried: false };
    for (;;) {
      // Checked before every attempt, a retry after a refresh included: credentials never leave the key origins.
      if (!this.keyOrigins.includes(url)) return { kind: 'failed', status: 0, reason: 'not-a-key-origin' };
      if (this.settings.auth === 'bearer' && this.token === undefined && !(await this.refresh(this.tokenGeneration)))
        return this.deny({ status: 401, reason: 'no-credentials', url });
      const generation = this.tokenGeneration;
      const response = await this.request(url);
      if (response === undefined) return { kind: 'failed', status: 0, reason: null };
      const limits = { canRefresh: this.settings.getToken !== undefined, maxUnavailableRetries: this.settings.maxUnavailableRetries };
      const action = decideKeyAction(response.facts, attempts, limits, this.deps.now());
      switch (action.kind) {
        case 'use':
          return { kind: 'key', bytes: await response.body(), status: response.facts.status };
        case 'refresh-and-retry':
          attempts.refreshed = true;
          if (!(await this.refresh(generation))) return this.deny({ status: 401, reason: response.facts.reason, url });
          continue;
        case 'wait-and-retry':
          if (action.retrying === 'jwks-unavailable') attempts.jwksRetried = true;
          else attempts.unavailableRetries++;
          await this.deps.sleep(action.delayMs);
          continue;
        case 'stop':
          return this.deny({ status: action.status, reason: action.reason, url });
        case 'fail':
          return { kind: 'failed', status: response.facts.status, reason: response.facts.reason };
      }
    }
  }

  private deny(denial: KeyDenial): KeyResult {
    this.settings.onDenied(denial);
    return { kind: 'denied', denial };
  }

  /** One getToken() for every key that needs it at once; false when it failed or gave no bearer token. */
  private async refresh(usedGeneration: number): Promise<boolean> {
    const { getToken } = this.settings;
    if (getToken === undefined) return false;
    // A request sent before someone else's refresh just uses the new token.
    if (this.tokenGeneration === usedGeneration) {
      this.refreshing ??= this.callGetToken(getToken).finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.lastRefreshOk;
  }

  private async callGetToken(getToken: (context: TokenContext) => Promise<string | void>): Promise<void> {
    try {
      const token = await getToken({ sessionId: this.settings.sessionId });
      const bearer = typeof token === 'string' && token !== '' ? token : undefined;
      this.lastRefreshOk = this.settings.auth === 'cookie' || bearer !== undefined;
      if (this.settings.auth === 'bearer') this.token = bearer;
    } catch {
      this.lastRefreshOk = false;
      if (this.settings.auth === 'bearer') this.token = undefined;
    }
    this.tokenGeneration++;
  }

  private async request(url: string): Promise<{ facts: KeyResponseFacts; body: () => Promise<ArrayBuffer> } | undefined> {
    const headers: Record<string, string> = {};
    // Only here, for key URLs: playlists and segments stay anonymous and cacheable.
    if (this.settings.auth === 'bearer' && this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    try {
      const response = await this.deps.fetch(url, {
        headers,
        credentials: this.settings.withCredentials ? 'include' : 'same-origin',
        // A redirect would carry the cookie (and perhaps the header) off the key origin: fail instead.
        redirect: 'error',
        signal: AbortSignal.timeout(KEY_REQUEST_TIMEOUT_MS),
      });
      return {
        facts: { status: response.status, reason: response.headers.get(REASON_HEADER), retryAfter: response.headers.get('retry-after') },
        body: () => response.arrayBuffer(),
      };
    } catch {
      return undefined;
    }
  }
}

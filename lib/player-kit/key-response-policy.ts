/**
 * What to do with one response to a key request: the one policy every player adapter follows.
 * A pure function of the response, what was already tried, and the clock.
 */

/** What the kit reads of a key response. */
export interface KeyResponseFacts {
  status: number;
  /** `x-keygate-reason` (CORS-exposed by the authorizer). */
  reason: string | null;
  /** `Retry-After`: null when absent, and across origins unless the server exposes it. */
  retryAfter: string | null;
}

/** What has been tried for this key so far. */
export interface KeyAttempts {
  refreshed: boolean;
  unavailableRetries: number;
  /** The one retry of a 401 `jwks-unavailable` was made. */
  jwksRetried: boolean;
}

export interface KeyPolicyLimits {
  /** An integrator getToken() exists. */
  canRefresh: boolean;
  maxUnavailableRetries: number;
}

export type KeyAction =
  | { kind: 'use' }
  /** 401 token-expired, the first time: get a fresh token (or cookie) and ask once more. */
  | { kind: 'refresh-and-retry' }
  /**
   * Ask again after the server's delay: a 503 (the store is briefly unavailable), or once a 401
   * `jwks-unavailable` (the token's signing key is new, and the edge may fetch it only after a cooldown).
   */
  | { kind: 'wait-and-retry'; delayMs: number; retrying: 'store-unavailable' | 'jwks-unavailable' }
  /** Final: stop the player and tell the integrator; never ask for this key again in this playback. */
  | { kind: 'stop'; status: number; reason: string | null }
  /** Not Keygate's answer (404, 5xx other than 503, network): the player's own error handling applies. */
  | { kind: 'fail' };

const TOKEN_EXPIRED = 'token-expired';
const JWKS_UNAVAILABLE = 'jwks-unavailable';
/** Without a readable Retry-After (e.g. cross-origin, where it is not CORS-exposed), wait a second. */
export const DEFAULT_RETRY_AFTER_MS = 1000;
/** A server asking for longer than this is not worth waiting for in a playback. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** Retry-After as delta-seconds or an HTTP date, bounded to [0, MAX_RETRY_AFTER_MS]. */
export function retryAfterMs(header: string | null, nowMs: number): number {
  const value = header?.trim() ?? '';
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else if (value !== '' && !Number.isNaN(Date.parse(value))) ms = Date.parse(value) - nowMs;
  else ms = DEFAULT_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

export function decideKeyAction(response: KeyResponseFacts, attempts: KeyAttempts, limits: KeyPolicyLimits, nowMs: number): KeyAction {
  const { status, reason } = response;
  if (status >= 200 && status < 300) return { kind: 'use' };
  if (status === 401 && reason === TOKEN_EXPIRED && limits.canRefresh && !attempts.refreshed) return { kind: 'refresh-and-retry' };
  if (status === 401 && reason === JWKS_UNAVAILABLE && !attempts.jwksRetried)
    return { kind: 'wait-and-retry', delayMs: retryAfterMs(response.retryAfter, nowMs), retrying: JWKS_UNAVAILABLE };
  // A refusal does not change by asking again: every retry would be another paid edge invocation.
  if (status === 401 || status === 403) return { kind: 'stop', status, reason };
  if (status === 503) {
    if (attempts.unavailableRetries < limits.maxUnavailableRetries)
      return { kind: 'wait-and-retry', delayMs: retryAfterMs(response.retryAfter, nowMs), retrying: 'store-unavailable' };
    return { kind: 'stop', status, reason };
  }
  return { kind: 'fail' };
}

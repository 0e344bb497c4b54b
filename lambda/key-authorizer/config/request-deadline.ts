/**
 * One deadline per key request, shared by every JWKS fetch and store call in it: each step gets what
 * is left. Lambda@Edge ends a viewer-request function at 5 s with CloudFront's own 503 (no reason,
 * no Retry-After, no decision line, no metric), so Keygate must answer its own 503 well before.
 */
export const REQUEST_DEADLINE_DEFAULT_MS = 3500;
/** A second below Lambda@Edge's 5 s: room for the handler itself and a busy container. */
export const REQUEST_DEADLINE_MAX_MS = 4000;
export const REQUEST_DEADLINE_MIN_MS = 200;

/** The timing settings of a request, in milliseconds, whichever file they come from. */
export interface DeadlineSettings {
  requestDeadlineMs: number;
  storeDeadlineMs: number;
  attemptTimeoutMs: number;
  jwksFetchTimeoutMs: number;
}

/**
 * The first rule the settings break (the setting to change, and what it must be), or undefined.
 * Checked by lib/config on cdk.json and again when the bundle loads its baked config, so no
 * combination can promise a step more time than the request has.
 */
export function deadlineProblem(settings: DeadlineSettings): { setting: keyof DeadlineSettings; expected: string } | undefined {
  const { requestDeadlineMs, storeDeadlineMs, attemptTimeoutMs, jwksFetchTimeoutMs } = settings;
  if (requestDeadlineMs < REQUEST_DEADLINE_MIN_MS || requestDeadlineMs > REQUEST_DEADLINE_MAX_MS) {
    return {
      setting: 'requestDeadlineMs',
      expected: `from ${REQUEST_DEADLINE_MIN_MS} to ${REQUEST_DEADLINE_MAX_MS} ms (Lambda@Edge ends a viewer request at 5 s with an answer that is not Keygate's)`,
    };
  }
  if (attemptTimeoutMs > storeDeadlineMs)
    return { setting: 'attemptTimeoutMs', expected: `at most the store deadline (${storeDeadlineMs} ms)` };
  if (jwksFetchTimeoutMs + storeDeadlineMs > requestDeadlineMs) {
    return {
      setting: 'storeDeadlineMs',
      expected: `at most the request deadline (${requestDeadlineMs} ms) minus the JWKS fetch timeout (${jwksFetchTimeoutMs} ms): a fetch and a lookup must fit in one request`,
    };
  }
  return undefined;
}

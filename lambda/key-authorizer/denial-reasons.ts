/** Machine-readable denial reasons, sent in `x-keygate-reason` and the decision log. */
export type DenialReason =
  | 'no-credentials'
  | 'bad-token'
  | 'token-expired'
  | 'jwks-unavailable'
  | 'session-revoked'
  | 'out-of-scope'
  | 'not-entitled'
  | 'entitlement-expired'
  | 'stream-limit'
  | 'session-ended'
  | 'session-required'
  | 'store-unavailable'
  | 'request-deadline'
  | 'not-found'
  | 'method-not-allowed'
  | 'origin-not-allowed';

/** 401: who you are is not proven; 403: you are known but may not have this; 503: try again later. */
export const DENIAL_STATUS: Record<DenialReason, number> = {
  'no-credentials': 401,
  'bad-token': 401,
  'token-expired': 401,
  // The issuer's keys could not be read: who you are is not proven, so fail closed (a retry may pass).
  'jwks-unavailable': 401,
  'session-revoked': 401,
  'out-of-scope': 403,
  'not-entitled': 403,
  'entitlement-expired': 403,
  'origin-not-allowed': 403,
  // Stream limits: the viewer is known and entitled; this playback may not (or no longer) hold a stream.
  'stream-limit': 403,
  'session-ended': 403,
  'session-required': 403,
  'store-unavailable': 503,
  // The request's budget (requestDeadlineMs) ran out in a slow fetch or store call: Keygate's own 503, well before Lambda@Edge's 5 s.
  'request-deadline': 503,
  'not-found': 404,
  'method-not-allowed': 405,
};

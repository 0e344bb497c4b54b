import { REASON_HEADER } from '../../lambda/key-authorizer/contract';
import { redirectProblem } from './canary-confinement';
import type { HttpResponse } from './raw-http';

/** The checks of `keygate verify`, in the order the table lists them. */
export const CANARY_CHECKS = ['anonymous', 'entitled', 'unentitled', 'encoded-paths', 'media-public', 'revocation'] as const;
export type CanaryCheck = (typeof CANARY_CHECKS)[number];

export type CheckOutcome = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  check: CanaryCheck;
  outcome: CheckOutcome;
  /** On a pass, what was seen; on a failure, what went wrong and what to look at; on a skip, why. */
  detail: string;
}

export interface CanaryReport {
  distribution: string;
  videoId: string;
  ttlWaitSeconds: number;
  /** The key URI the checks asked for, when the playlists named one. */
  keyUrl?: string;
  /** The test viewer granted and revoked through the table, when there was table access. */
  viewer?: string;
  /** Set when the test grant could not be removed (it is a rental that ends by itself). */
  cleanupProblem?: string;
  checks: CheckResult[];
}

export function checkTitle(check: CanaryCheck, ttlWaitSeconds: number): string {
  switch (check) {
    case 'anonymous':
      return 'anonymous key request is refused (401)';
    case 'entitled':
      return 'entitled viewer gets the key (200, 16 bytes, no-store, edge-cached)';
    case 'unentitled':
      return 'unentitled viewer is refused (403)';
    case 'encoded-paths':
      return 'encoded key paths give no key';
    case 'media-public':
      return 'playlist and segment are public and cached';
    case 'revocation':
      return `revocation takes effect within ${ttlWaitSeconds} s`;
  }
}

/** `403 not-entitled`, or `200` when the response carries no reason. */
export function statusWithReason(response: HttpResponse): string {
  const reason = response.headers[REASON_HEADER];
  return reason ? `${response.status} ${reason}` : String(response.status);
}

/** Where to look when a key request got this answer instead of the expected one. */
export function keyAnswerHint(response: HttpResponse): string {
  const reason = response.headers[REASON_HEADER];
  const redirect = redirectProblem(response.status, response.headers.location);
  if (redirect !== undefined) return `${redirect}: a key is answered at its own URL or not at all`;
  if (response.status === 200) return 'the key was served: does /keys/* run the key authorizer on viewer-request?';
  if (reason === 'bad-token' || reason === 'token-expired' || reason === 'session-revoked')
    return 'the token was refused: do --key, --issuer and --audience match the deployment’s jwks, jwtIssuer and jwtAudience?';
  if (reason === 'not-entitled' || reason === 'entitlement-expired')
    return 'the grant was not seen: is --table (and --region) the table the authorizer reads?';
  if (reason === 'store-unavailable') return 'the authorizer cannot read the table: see storeCause in its decision log';
  if (reason === 'request-deadline')
    return 'the table (or a JWKS URL) answered too slowly for one request: see storeErrors in its decision log';
  if (reason === 'not-found') return 'the authorizer does not take this for a key path';
  if (reason === undefined && (response.status === 403 || response.status === 404))
    return 'refused without x-keygate-reason, so not by the authorizer: is the key in the key bucket (keygate publish --key-bucket)?';
  return 'see the authorizer’s decision log';
}

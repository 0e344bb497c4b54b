/**
 * What the rest of Keygate may know of the key authorizer: the item schema and its readers (the admin CLI
 * writes what the edge reads), denial reasons and header names (the kit and the canary read them), path,
 * id and token patterns (the CDN behaviors and the media tools must agree with the router), metric names
 * (the dashboard and alarms read what the decision log writes) and the config types and parsers (the
 * build bakes what the edge parses). lib/ and bench/ import the authorizer only through here (eslint.config.mjs);
 * the player kit through `./browser`, which stays small. Anything not re-exported here is free to change.
 */

// The decision core, for the bench harness that drives it without CloudFront.
export { authorizeKeyRequest } from '../authorize-key-request';
export { createAuthorizerDeps } from '../create-handler';

// Decisions as the outside sees them: reasons, headers, the log line and its metrics.
export { DENIAL_STATUS, type DenialReason } from '../denial-reasons';
export { METRICS_NAMESPACE, METRIC_NAMES, type DecisionLogEntry } from '../decision-log';
export { EXPOSED_KEY_HEADERS, REASON_HEADER } from '../http/responses';
export type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from '../http/cloudfront-event';

// Paths, ids and tokens.
export { KEYS_PATH_PATTERN, pathTokenKeysPattern, pathTokenMediaPattern, routeKeyRequest } from '../http/key-path';
export { COMPACT_JWS_PATTERN } from '../identity/compact-jws';

// The DynamoDB items: schema, readers and lease rules the admin CLI shares with the edge.
export * from '../entitlements/entitlement-schema';
export { MalformedItemError, readEntitlementItem, readLeaseItem } from '../entitlements/entitlement-records';
export { LEASE_TTL_GRACE_SECONDS, holdsStream } from '../streams/stream-leases';

// The baked config: types, defaults, limits and the parser the build and the cold start share.
export {
  AUTHORIZER_CONFIG_FILE,
  AUTHORIZER_DEFAULTS,
  InvalidAuthorizerConfigError,
  MAX_STALE_IF_ERROR_SECONDS,
  PATH_TOKEN_PREFIX,
  REPLICAS_TRIED_PER_REQUEST,
  parseAuthorizerConfig,
  parseJwks,
  type AuthorizerConfig,
} from '../config/authorizer-config';
export {
  ISSUER_FIELDS,
  JWKS_FETCH_DEFAULTS,
  SIGNING_ALGORITHMS,
  type IssuerConfig,
  type JwksFetchConfig,
  type PinnedJwk,
  type SigningAlgorithm,
  type TokenUse,
} from '../config/issuer-config';
export {
  CONFIG_PATTERNS,
  CONFIG_RANGES,
  RESERVED_PATH_TOKEN_PREFIXES,
  issuerProblem,
  keyAgeProblem,
  settleProblem,
  uidPrefixClash,
  type Range,
} from '../config/config-limits';
export { REQUEST_DEADLINE_DEFAULT_MS, deadlineProblem } from '../config/request-deadline';
export { LOCAL_ENDPOINT_CREDENTIALS } from '../config/local-endpoint';

// The one https adapter the CLI reuses (OIDC discovery), so both fetch JWKS under the same limits.
export { httpsJwksFetcher } from '../identity/jwks-fetch';

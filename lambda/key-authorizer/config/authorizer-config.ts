import { parseJwtConfig, type JwtConfig } from './issuer-config';
import {
  InvalidAuthorizerConfigError,
  integerIn,
  isObject,
  matching,
  matchingArray,
  positiveInt,
  string,
  stringArray,
} from './config-fields';
import { CONFIG_PATTERNS as P, CONFIG_RANGES as R, RESERVED_PATH_TOKEN_PREFIXES, settleProblem } from './config-limits';
import { deadlineProblem } from './request-deadline';

export type { IssuerConfig, JwksFetchConfig, JwtConfig, PinnedJwk, SigningAlgorithm } from './issuer-config';
export { SIGNING_ALGORITHMS, parseJwks } from './issuer-config';
export { InvalidAuthorizerConfigError } from './config-fields';
export { CONFIG_PATTERNS, CONFIG_RANGES, LOCAL_ONLY_FIELDS } from './config-limits';

/**
 * The configuration baked beside the edge bundle (Lambda@Edge has no environment variables).
 * `lib/config` produces it from cdk.json; `parseAuthorizerConfig` checks it again when the
 * function loads, so a hand-edited or stale file fails loudly instead of authorizing wrongly.
 */
export interface AuthorizerConfig {
  /** The entitlement table: grants and revocations, only ever read here. */
  tableName: string;
  /** The lease table (stream limits), with the same replicas: the one table the edge function writes. */
  leaseTableName: string;
  /** Every region that holds a replica of the table (the primary included). */
  replicaRegions: string[];
  /** For each edge region, the replica regions ordered nearest first; computed at synth. */
  replicaPreference: Record<string, string[]>;
  /** LOCAL ONLY (keygate dev, tests; cdk.json refuses it): one endpoint for every replica, or one per region. */
  endpoint?: string;
  replicaEndpoints?: Record<string, string>;
  jwt: JwtConfig;
  cookieName: string;
  queryParameter: string;
  /** The forgeable legacy `uid` cookie: off unless an operator accepts the risk. */
  allowUidCookie: boolean;
  /**
   * Tokens in the path, for players that can carry nothing else: `/<prefix>/<token>/keys/…`. Such a
   * token leaks more easily (logs, shared URLs), so it must list its videos (`vids`) and live at most
   * `maxLifetimeSeconds`.
   */
  pathToken: { prefix: string; maxLifetimeSeconds: number };
  allowedOrigins: string[];
  cache: { allowTtlSeconds: number; denyTtlSeconds: number; maxEntries: number };
  /** Each store call (a lookup or a lease write, with its failover) ends by `deadlineMs`, each attempt by `attemptTimeoutMs`. */
  store: { deadlineMs: number; attemptTimeoutMs: number; retryAfterSeconds: number };
  /** The whole request's budget, shared by its JWKS fetch and every store call (request-deadline.ts). */
  requestDeadlineMs: number;
  /**
   * Bounded degraded mode: when every replica fails, a viewer whose allow for this video left the
   * cache less than this many seconds ago is still served (logged `stale-allow`). 0 fails closed.
   */
  staleIfErrorSeconds: number;
  /** Salt for the viewer-id hash in the decision log. */
  logSalt: string;
  /** Concurrent-stream limits: leases renewed by key requests (stream-leases.ts). */
  streams: StreamsConfig;
}

export interface StreamsConfig {
  /** The token claim holding the playback session id (not OpenID's `sid`, which is one per sign-in). */
  sessionIdClaim: string;
  /** How long one key request keeps a session's stream; about two key windows. */
  leaseSeconds: number;
  /** When a new session is checked again against the others, once replicas have exchanged their writes. */
  settleSeconds: number;
  /** The limit for viewers whose grant names none; null: unlimited unless the grant says otherwise. */
  defaultMaxStreams: number | null;
}

/** How many table regions one key request may read: the nearest, then the next nearest on failure. */
export const REPLICAS_TRIED_PER_REQUEST = 2;

export const AUTHORIZER_CONFIG_FILE = 'authorizer-config.json';
/** The first path segment of path-token URLs: a CloudFront path pattern must be able to name it literally. */
export const PATH_TOKEN_PREFIX = P.pathTokenPrefix;

export const AUTHORIZER_DEFAULTS = {
  cookieName: 'keygate_token',
  queryParameter: 'token',
  allowUidCookie: false,
  pathTokenPrefix: 't',
  pathTokenMaxLifetimeSeconds: 4 * 3600,
  maxLifetimeSeconds: 24 * 3600,
  maxTokenBytes: 4096,
  uidClaim: 'sub',
  videosClaim: 'vids',
  allowTtlSeconds: 30,
  denyTtlSeconds: 5,
  maxEntries: 10_000,
  deadlineMs: 1500,
  attemptTimeoutMs: 800,
  retryAfterSeconds: 2,
  staleIfErrorSeconds: 0,
  sessionIdClaim: 'psid',
  settleSeconds: 3,
} as const;

/** The longest grace after an outage begins: a viewer revoked during it may play on this long. */
export const MAX_STALE_IF_ERROR_SECONDS = R.staleIfErrorSeconds.max;

function optionalEndpoint(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^https?:\/\/[^/]+\/?$/.test(value)) {
    throw new InvalidAuthorizerConfigError(path, 'an http(s) URL without a path');
  }
  return value;
}

/** Where each timing setting lives in the baked config. */
const BAKED_DEADLINE_FIELDS = {
  requestDeadlineMs: 'requestDeadlineMs',
  storeDeadlineMs: 'store.deadlineMs',
  attemptTimeoutMs: 'store.attemptTimeoutMs',
  jwksFetchTimeoutMs: 'jwt.jwksFetch.timeoutMs',
} as const;

/**
 * Validates the baked config; every field is required so that the file says exactly what runs. The
 * limits are cdk.json's own (config-limits.ts): only the LOCAL ONLY fields go beyond what it allows.
 */
export function parseAuthorizerConfig(value: unknown): AuthorizerConfig {
  if (!isObject(value)) throw new InvalidAuthorizerConfigError('the config', 'a JSON object');
  const jwt = value.jwt;
  const cache = value.cache;
  const store = value.store;
  if (!isObject(jwt)) throw new InvalidAuthorizerConfigError('jwt', 'an object');
  if (!isObject(cache)) throw new InvalidAuthorizerConfigError('cache', 'an object');
  if (!isObject(store)) throw new InvalidAuthorizerConfigError('store', 'an object');
  const replicaRegions = matchingArray(value, 'replicaRegions', 'replicaRegions', P.region, 'AWS regions');
  const preference = value.replicaPreference;
  if (!isObject(preference)) throw new InvalidAuthorizerConfigError('replicaPreference', 'an object of region → regions');
  const replicaPreference: Record<string, string[]> = {};
  for (const region of Object.keys(preference)) {
    replicaPreference[region] = stringArray(preference, region, `replicaPreference.${region}`);
    if (replicaPreference[region].some((r) => !replicaRegions.includes(r))) {
      throw new InvalidAuthorizerConfigError(`replicaPreference.${region}`, 'a list of configured replica regions');
    }
  }
  let replicaEndpoints: Record<string, string> | undefined;
  if (value.replicaEndpoints !== undefined) {
    if (!isObject(value.replicaEndpoints)) throw new InvalidAuthorizerConfigError('replicaEndpoints', 'an object of region → URL');
    replicaEndpoints = {};
    for (const [region, url] of Object.entries(value.replicaEndpoints)) {
      replicaEndpoints[region] = optionalEndpoint(url, `replicaEndpoints.${region}`) as string;
    }
  }
  const allowUidCookie = value.allowUidCookie;
  if (typeof allowUidCookie !== 'boolean') throw new InvalidAuthorizerConfigError('allowUidCookie', 'true or false');
  const pathToken = value.pathToken;
  if (!isObject(pathToken)) throw new InvalidAuthorizerConfigError('pathToken', 'an object');
  const prefix = string(pathToken, 'prefix', 'pathToken.prefix');
  if (!PATH_TOKEN_PREFIX.test(prefix) || RESERVED_PATH_TOKEN_PREFIXES.includes(prefix)) {
    throw new InvalidAuthorizerConfigError('pathToken.prefix', 'a path segment of a-z 0-9 - (1–16), not "videos" or "keys"');
  }
  const streams = value.streams;
  if (!isObject(streams)) throw new InvalidAuthorizerConfigError('streams', 'an object');
  const defaultMaxStreams = streams.defaultMaxStreams;
  if (defaultMaxStreams !== null) integerIn(streams, 'defaultMaxStreams', 'streams.defaultMaxStreams', R.defaultMaxStreams);
  const leaseSeconds = integerIn(streams, 'leaseSeconds', 'streams.leaseSeconds', R.streamLeaseSeconds);
  const settleSeconds = integerIn(streams, 'settleSeconds', 'streams.settleSeconds', R.streamSettleSeconds);
  const settle = settleProblem(leaseSeconds, settleSeconds);
  if (settle) throw new InvalidAuthorizerConfigError('streams.settleSeconds', settle);
  const tableName = matching(value, 'tableName', 'tableName', P.tableName, 'a DynamoDB table name');
  const leaseTableName = matching(value, 'leaseTableName', 'leaseTableName', P.tableName, 'a DynamoDB table name');
  if (leaseTableName === tableName) throw new InvalidAuthorizerConfigError('leaseTableName', 'another table than tableName');
  const config: AuthorizerConfig = {
    tableName,
    leaseTableName,
    replicaRegions,
    replicaPreference,
    jwt: parseJwtConfig(jwt),
    cookieName: matching(value, 'cookieName', 'cookieName', P.cookieName, 'a cookie name'),
    queryParameter: string(value, 'queryParameter', 'queryParameter'),
    allowUidCookie,
    pathToken: {
      prefix,
      maxLifetimeSeconds: integerIn(pathToken, 'maxLifetimeSeconds', 'pathToken.maxLifetimeSeconds', R.pathTokenMaxLifetimeSeconds),
    },
    allowedOrigins: matchingArray(value, 'allowedOrigins', 'allowedOrigins', P.origin, 'player origins', true),
    cache: {
      allowTtlSeconds: integerIn(cache, 'allowTtlSeconds', 'cache.allowTtlSeconds', R.allowTtlSeconds),
      denyTtlSeconds: integerIn(cache, 'denyTtlSeconds', 'cache.denyTtlSeconds', R.denyTtlSeconds),
      maxEntries: integerIn(cache, 'maxEntries', 'cache.maxEntries', R.cacheMaxEntries),
    },
    store: {
      deadlineMs: integerIn(store, 'deadlineMs', 'store.deadlineMs', R.storeDeadlineMs),
      attemptTimeoutMs: positiveInt(store, 'attemptTimeoutMs', 'store.attemptTimeoutMs'),
      retryAfterSeconds: positiveInt(store, 'retryAfterSeconds', 'store.retryAfterSeconds'),
    },
    requestDeadlineMs: integerIn(value, 'requestDeadlineMs', 'requestDeadlineMs', R.requestDeadlineMs),
    staleIfErrorSeconds: integerIn(value, 'staleIfErrorSeconds', 'staleIfErrorSeconds', R.staleIfErrorSeconds),
    logSalt: matching(value, 'logSalt', 'logSalt', P.logSalt, 'a salt of 16–128 non-space characters'),
    streams: {
      sessionIdClaim: matching(streams, 'sessionIdClaim', 'streams.sessionIdClaim', P.claimName, 'a claim name'),
      leaseSeconds,
      settleSeconds,
      defaultMaxStreams: defaultMaxStreams as number | null,
    },
  };
  const problem = deadlineProblem({
    requestDeadlineMs: config.requestDeadlineMs,
    storeDeadlineMs: config.store.deadlineMs,
    attemptTimeoutMs: config.store.attemptTimeoutMs,
    jwksFetchTimeoutMs: config.jwt.jwksFetch.timeoutMs,
  });
  if (problem !== undefined) throw new InvalidAuthorizerConfigError(BAKED_DEADLINE_FIELDS[problem.setting], problem.expected);
  const endpoint = optionalEndpoint(value.endpoint, 'endpoint');
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (replicaEndpoints !== undefined) config.replicaEndpoints = replicaEndpoints;
  return config;
}

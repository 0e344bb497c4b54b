import { MAX_STREAMS_LIMIT } from '../entitlements/entitlement-schema';
import { REQUEST_DEADLINE_MAX_MS, REQUEST_DEADLINE_MIN_MS } from './request-deadline';

/**
 * The limits of every configurable value, defined once. cdk.json's readers (lib/config) and the baked
 * config's load-time check (authorizer-config.ts, issuer-config.ts) both apply them, so a hand-edited
 * authorizer-config.json cannot bake a value that a deployment from cdk.json would refuse. Each side
 * words its own errors: cdk.json's name the cdk.json key and the fix, the load-time ones the baked field.
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const CONFIG_RANGES = {
  /** A trusted issuer's longest accepted `exp − iat` (cdk.json `maxLifetime`, `jwtMaxLifetime`). */
  issuerMaxLifetimeSeconds: { min: 60, max: 7 * 86400 },
  /** One JWKS fetch; bounded so that fetch and entitlement lookup fit the 5 s Lambda@Edge budget. */
  jwksFetchTimeoutMs: { min: 100, max: 2000 },
  jwksMaxBytes: { min: 1024, max: 1024 * 1024 },
  jwksCooldownSeconds: { min: 1, max: 3600 },
  jwksMaxKeyAgeSeconds: { min: 60, max: 86400 },
  pathTokenMaxLifetimeSeconds: { min: 60, max: 12 * 3600 },
  allowTtlSeconds: { min: 0, max: 3600 },
  denyTtlSeconds: { min: 0, max: 3600 },
  cacheMaxEntries: { min: 0, max: 1_000_000 },
  /** The request's budget less the shortest JWKS fetch: a fetch and a lookup must fit in one request. */
  storeDeadlineMs: { min: 100, max: REQUEST_DEADLINE_MAX_MS - 100 },
  /** One budget for every fetch and store call of a request, well inside Lambda@Edge's 5 s. */
  requestDeadlineMs: { min: REQUEST_DEADLINE_MIN_MS, max: REQUEST_DEADLINE_MAX_MS },
  /** A longer grace would make an outage a window in which revocations do nothing. */
  staleIfErrorSeconds: { min: 0, max: 300 },
  streamLeaseSeconds: { min: 2, max: 3600 },
  streamSettleSeconds: { min: 1, max: 60 },
  defaultMaxStreams: { min: 0, max: MAX_STREAMS_LIMIT },
} as const satisfies Record<string, Range>;

export type ConfigRangeName = keyof typeof CONFIG_RANGES;

export function isInRange(value: unknown, range: Range): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max;
}

export const describeRange = (range: Range): string => `a whole number from ${range.min} to ${range.max}`;

export const CONFIG_PATTERNS = {
  /** An issuer (`iss`): https, a host, an optional path; no query or fragment. */
  issuerUrl: /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/,
  /** The JWKS URL the edge fetches: https with a plain host and an optional path. */
  jwksUri: /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s?#]*)?$/,
  /** A token claim name (`uidClaim`, `videosClaim`, the session claim). */
  claimName: /^[A-Za-z0-9_:.-]{1,64}$/,
  /** An accepted `aud` or `client_id`. */
  audience: /^\S{1,256}$/,
  /** A JOSE header `typ`, e.g. `at+jwt`. */
  typ: /^[A-Za-z0-9+./-]{1,64}$/,
  /**
   * Put before an issuer's viewer ids (`partner:` + `sub`): ASCII that a viewer id may hold (no `#`, no
   * control characters), so the prefixed id is still one the admin CLI and the item schema accept.
   */
  uidPrefix: /^[A-Za-z0-9_.:|@+-]{1,32}$/,
  cookieName: /^[A-Za-z0-9_-]{1,64}$/,
  /** A player origin: https, or http on loopback; no path. */
  origin: /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)$/,
  tableName: /^[A-Za-z0-9_.-]{3,255}$/,
  region: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  /** The first path segment of path-token URLs: a CloudFront path pattern must be able to name it literally. */
  pathTokenPrefix: /^[a-z0-9-]{1,16}$/,
  /** The decision log's salt: a secret `decisionLogSalt`, or one derived at synth. */
  logSalt: /^\S{16,128}$/,
} as const;

/** Path-token prefixes that would shadow the media or key paths. */
export const RESERVED_PATH_TOKEN_PREFIXES: readonly string[] = ['videos', 'keys'];

/** Fields only local runs (keygate dev, tests) may bake; cdk.json refuses their counterparts. */
export const LOCAL_ONLY_FIELDS = ['endpoint', 'replicaEndpoints', 'jwt.jwksFetch.localCa'] as const;

/** Fetched keys must outlive the cooldown, or they would expire between two allowed fetches. */
export function keyAgeProblem(cooldownSeconds: number, maxKeyAgeSeconds: number): string | undefined {
  if (maxKeyAgeSeconds > cooldownSeconds) return undefined;
  return `longer than the JWKS cooldown (${cooldownSeconds} s), or fetched keys would expire between allowed fetches`;
}

/** A new session is checked again once replicas have exchanged writes: within its own lease. */
export function settleProblem(leaseSeconds: number, settleSeconds: number): string | undefined {
  return settleSeconds < leaseSeconds ? undefined : `less than the stream lease (${leaseSeconds} s)`;
}

/** The problem with one field of an object (a field name of both cdk.json's entry and the baked one). */
export interface FieldProblem {
  field: string;
  expected: string;
}

/** Cognito user pools: ID and access tokens share one issuer, so the token use must be named. */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9-]+_[A-Za-z0-9]+$/;

interface IssuerAudience {
  issuer: string;
  audience: string[];
  clientIds: string[];
  tokenUse?: 'id' | 'access';
}

/** Rules between an issuer's fields: its tokens must be meant for us, and a Cognito pool's token kind named. */
export function issuerProblem(issuer: IssuerAudience): FieldProblem | undefined {
  if (issuer.audience.length === 0 && issuer.clientIds.length === 0) {
    return { field: 'audience', expected: 'a list of accepted aud values, or clientIds set (a token must be meant for you)' };
  }
  if (!COGNITO_ISSUER.test(issuer.issuer)) return undefined;
  if (issuer.tokenUse === undefined) {
    return { field: 'tokenUse', expected: '"id" or "access" for a Cognito user pool (both token kinds share one issuer)' };
  }
  if (issuer.tokenUse === 'access' && issuer.clientIds.length === 0) {
    return { field: 'clientIds', expected: 'your app client ids: Cognito access tokens carry client_id, not aud' };
  }
  if (issuer.tokenUse === 'id' && issuer.audience.length === 0) {
    return { field: 'audience', expected: 'your app client ids: Cognito ID tokens carry them in aud' };
  }
  return undefined;
}

/**
 * Viewer-id prefixes must keep issuers apart: with `p` and `pa`, `p` + `a1` and `pa` + `1` are one
 * viewer. So no prefix may begin another. Returns the index of the issuer whose prefix clashes.
 */
export function uidPrefixClash(issuers: readonly { uidPrefix?: string }[]): { index: number; expected: string } | undefined {
  for (const [index, { uidPrefix }] of issuers.entries()) {
    if (uidPrefix === undefined) continue;
    const other = issuers.find((o, j) => j !== index && o.uidPrefix !== undefined && o.uidPrefix.startsWith(uidPrefix));
    if (other) return { index, expected: `a prefix that no other issuer's uidPrefix begins with ("${other.uidPrefix}" does)` };
  }
  return undefined;
}

import {
  InvalidAuthorizerConfigError,
  integerIn,
  isObject,
  matching,
  matchingArray,
  onlyKnownFields,
  positiveInt,
  string,
  type Json,
} from './config-fields';
import { CONFIG_PATTERNS, CONFIG_RANGES, issuerProblem, keyAgeProblem, uidPrefixClash } from './config-limits';

/** The trusted token issuers of the baked config, and how their keys are found. */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'ES384';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'ES384'];

export interface PinnedJwk {
  kid: string;
  alg: SigningAlgorithm;
  kty: 'RSA' | 'EC';
  use?: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export type TokenUse = 'id' | 'access';

export interface IssuerConfig {
  /** The exact `iss` of this issuer's tokens. */
  issuer: string;
  /** Accepted `aud` values; a token is accepted when its `aud` or its `client_id` matches. */
  audience: string[];
  /** Accepted `client_id` values (Cognito access tokens carry no `aud`). */
  clientIds: string[];
  /** Keys pinned at synth: the bootstrap, never expired. */
  jwks?: { keys: PinnedJwk[] };
  /** https only: fetched on an unknown `kid`, with a cooldown. */
  jwksUri?: string;
  /** Longest accepted `exp - iat`, in seconds. */
  maxLifetimeSeconds: number;
  /** Claim that holds the viewer id. */
  uidClaim: string;
  /**
   * Put before the claim's value to make the viewer id (`partner:` + `sub`), so that two issuers' viewers
   * never share grants, revocations or leases. Absent: the claim's value is the viewer id.
   */
  uidPrefix?: string;
  /** Optional claim listing the only video ids the token may open. */
  videosClaim: string;
  /** When set, the `token_use` claim must equal it (Cognito: `id` or `access`). */
  tokenUse?: TokenUse;
  /** When set, the header `typ` must equal it (case-insensitive), e.g. `at+jwt` for RFC 9068 access tokens. */
  typ?: string;
}

export interface JwksFetchConfig {
  /** The whole fetch (connect, TLS, body) must finish within this; it adds to the request's time. */
  timeoutMs: number;
  /** A JWKS response larger than this is refused. */
  maxBytes: number;
  /** After a fetch, no other fetch of the same issuer for this long (an unknown `kid` costs nothing then). */
  cooldownSeconds: number;
  /** A fetched key is trusted this long after the fetch that returned it, then refetched or refused. */
  maxKeyAgeSeconds: number;
  /** LOCAL ONLY (keygate dev, tests; cdk.json refuses it): a PEM CA trusted for JWKS URLs (a self-signed local provider). */
  localCa?: string;
}

export interface JwtConfig {
  issuers: IssuerConfig[];
  /** Longest accepted compact token, in bytes. */
  maxTokenBytes: number;
  jwksFetch: JwksFetchConfig;
}

export const JWKS_FETCH_DEFAULTS = {
  timeoutMs: 1000,
  maxBytes: 64 * 1024,
  cooldownSeconds: 30,
  maxKeyAgeSeconds: 600,
} as const;

/** https with a host and an optional path; no credentials, query or fragment. */
export const HTTPS_JWKS_URI = CONFIG_PATTERNS.jwksUri;
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+-----END CERTIFICATE-----\s*$/;
const TOKEN_USES: readonly TokenUse[] = ['id', 'access'];

function parsePinnedJwk(value: unknown, path: string): PinnedJwk {
  if (!isObject(value)) throw new InvalidAuthorizerConfigError(path, 'a JWK object');
  const kid = string(value, 'kid', `${path}.kid`);
  const alg = value.alg;
  if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) {
    throw new InvalidAuthorizerConfigError(`${path}.alg`, `one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  if (value.d !== undefined || value.p !== undefined || value.k !== undefined) {
    throw new InvalidAuthorizerConfigError(path, 'a public key (it holds private key material)');
  }
  if (value.use !== undefined && value.use !== 'sig') throw new InvalidAuthorizerConfigError(`${path}.use`, '"sig" or absent');
  const use = value.use === 'sig' ? { use: 'sig' as const } : {};
  if (alg === 'RS256') {
    if (value.kty !== 'RSA') throw new InvalidAuthorizerConfigError(`${path}.kty`, '"RSA" for RS256');
    return { kid, alg, kty: 'RSA', ...use, n: string(value, 'n', `${path}.n`), e: string(value, 'e', `${path}.e`) };
  }
  const crv = alg === 'ES256' ? 'P-256' : 'P-384';
  if (value.kty !== 'EC' || value.crv !== crv) {
    throw new InvalidAuthorizerConfigError(`${path}`, `an EC key on ${crv} for ${alg as string}`);
  }
  return {
    kid,
    alg: alg as SigningAlgorithm,
    kty: 'EC',
    ...use,
    crv,
    x: string(value, 'x', `${path}.x`),
    y: string(value, 'y', `${path}.y`),
  };
}

export function parseJwks(value: unknown, path = 'jwt.jwks'): { keys: PinnedJwk[] } {
  if (!isObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) {
    throw new InvalidAuthorizerConfigError(path, 'a JWKS object with a non-empty "keys" array');
  }
  const keys = value.keys.map((k, i) => parsePinnedJwk(k, `${path}.keys[${i}]`));
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new InvalidAuthorizerConfigError(`${path}.keys`, 'keys with distinct kid values');
  return { keys };
}

/** A fetched JWKS: the usable keys, and why each other key was left out (for the decision line). */
export interface FetchedJwks {
  keys: PinnedJwk[];
  skipped: string[];
}

/** A provider's kid is shown in the decision line: bounded, so a hostile set cannot flood the log. */
const SHOWN_KID_CHARS = 64;
const SHOWN_SKIPPED_KEYS = 10;

function skippedKey(key: unknown, index: number, why: string): string {
  const kid = isObject(key) && typeof key.kid === 'string' ? JSON.stringify(key.kid.slice(0, SHOWN_KID_CHARS)) : `#${index}`;
  return `${kid}: ${why}`;
}

/**
 * A JWKS as a provider serves it: keys we cannot use (HS*, PS*, EdDSA, encryption keys, keys without
 * `kid`, and keys whose type, curve or parameters do not fit their `alg`) are skipped one by one rather
 * than failing the whole set, as providers publish several kinds. Every kept key passes the same
 * strict checks as a pinned one.
 */
export function parseFetchedJwks(value: unknown): FetchedJwks {
  if (!isObject(value) || !Array.isArray(value.keys)) throw new InvalidAuthorizerConfigError('the fetched JWKS', 'an object with "keys"');
  const keys: PinnedJwk[] = [];
  const skipped: string[] = [];
  for (const [i, key] of value.keys.entries()) {
    const skip = (why: string) => skipped.push(skippedKey(key, i, why));
    if (!isObject(key)) skip('not an object');
    else if (typeof key.kid !== 'string') skip('no kid');
    else if ((key.use ?? 'sig') !== 'sig') skip(`use ${String(key.use)}`);
    else {
      // Some providers (Entra ID) omit alg; the key type then names the one algorithm we would accept.
      const alg = key.alg ?? (key.kty === 'RSA' ? 'RS256' : key.crv === 'P-256' ? 'ES256' : key.crv === 'P-384' ? 'ES384' : undefined);
      if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) skip(`alg ${String(alg)} is not accepted`);
      else {
        try {
          keys.push(parsePinnedJwk({ ...key, alg }, 'key'));
        } catch (error) {
          if (!(error instanceof InvalidAuthorizerConfigError)) throw error;
          skip(error.problem);
        }
      }
    }
  }
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) {
    throw new InvalidAuthorizerConfigError('the fetched JWKS', 'keys with distinct kid values');
  }
  return { keys, skipped: skipped.slice(0, SHOWN_SKIPPED_KEYS) };
}

/** The fields of a baked issuer entry (cdk.json's trustedIssuers entries have the same, with `maxLifetime`). */
export const ISSUER_FIELDS = [
  'issuer',
  'audience',
  'clientIds',
  'jwks',
  'jwksUri',
  'maxLifetimeSeconds',
  'uidClaim',
  'uidPrefix',
  'videosClaim',
  'tokenUse',
  'typ',
] as const;

function parseIssuer(value: unknown, path: string): IssuerConfig {
  if (!isObject(value)) throw new InvalidAuthorizerConfigError(path, 'an object');
  onlyKnownFields(value, ISSUER_FIELDS, path);
  const P = CONFIG_PATTERNS;
  const issuer: IssuerConfig = {
    issuer: matching(value, 'issuer', `${path}.issuer`, P.issuerUrl, 'an https issuer URL'),
    audience: matchingArray(value, 'audience', `${path}.audience`, P.audience, 'aud values', true),
    clientIds: matchingArray(value, 'clientIds', `${path}.clientIds`, P.audience, 'client ids', true),
    maxLifetimeSeconds: integerIn(value, 'maxLifetimeSeconds', `${path}.maxLifetimeSeconds`, CONFIG_RANGES.issuerMaxLifetimeSeconds),
    uidClaim: matching(value, 'uidClaim', `${path}.uidClaim`, P.claimName, 'a claim name'),
    videosClaim: matching(value, 'videosClaim', `${path}.videosClaim`, P.claimName, 'a claim name'),
  };
  if (value.uidPrefix !== undefined)
    issuer.uidPrefix = matching(value, 'uidPrefix', `${path}.uidPrefix`, P.uidPrefix, 'a viewer-id prefix');
  if (value.jwks !== undefined) issuer.jwks = parseJwks(value.jwks, `${path}.jwks`);
  if (value.jwksUri !== undefined)
    issuer.jwksUri = matching(value, 'jwksUri', `${path}.jwksUri`, P.jwksUri, 'an https URL without query or fragment');
  if (issuer.jwks === undefined && issuer.jwksUri === undefined) {
    throw new InvalidAuthorizerConfigError(path, 'given keys: jwks (pinned), jwksUri, or both');
  }
  if (value.tokenUse !== undefined) {
    if (!TOKEN_USES.includes(value.tokenUse as TokenUse))
      throw new InvalidAuthorizerConfigError(`${path}.tokenUse`, '"id", "access" or absent');
    issuer.tokenUse = value.tokenUse as TokenUse;
  }
  if (value.typ !== undefined) issuer.typ = matching(value, 'typ', `${path}.typ`, P.typ, 'a JOSE typ such as "at+jwt"');
  const problem = issuerProblem(issuer);
  if (problem) throw new InvalidAuthorizerConfigError(`${path}.${problem.field}`, problem.expected);
  return issuer;
}

const JWKS_FETCH_FIELDS = ['timeoutMs', 'maxBytes', 'cooldownSeconds', 'maxKeyAgeSeconds', 'localCa'] as const;

function parseJwksFetch(value: unknown): JwksFetchConfig {
  const path = 'jwt.jwksFetch';
  if (!isObject(value)) throw new InvalidAuthorizerConfigError(path, 'an object');
  onlyKnownFields(value, JWKS_FETCH_FIELDS, path);
  const fetch: JwksFetchConfig = {
    timeoutMs: integerIn(value, 'timeoutMs', `${path}.timeoutMs`, CONFIG_RANGES.jwksFetchTimeoutMs),
    maxBytes: integerIn(value, 'maxBytes', `${path}.maxBytes`, CONFIG_RANGES.jwksMaxBytes),
    cooldownSeconds: integerIn(value, 'cooldownSeconds', `${path}.cooldownSeconds`, CONFIG_RANGES.jwksCooldownSeconds),
    maxKeyAgeSeconds: integerIn(value, 'maxKeyAgeSeconds', `${path}.maxKeyAgeSeconds`, CONFIG_RANGES.jwksMaxKeyAgeSeconds),
  };
  const keyAge = keyAgeProblem(fetch.cooldownSeconds, fetch.maxKeyAgeSeconds);
  if (keyAge) throw new InvalidAuthorizerConfigError(`${path}.maxKeyAgeSeconds`, keyAge);
  // Local only: a deployment trusts public CAs (cdk.json refuses jwksLocalCa).
  if (value.localCa !== undefined) {
    if (typeof value.localCa !== 'string' || !PEM_CERTIFICATE.test(value.localCa)) {
      throw new InvalidAuthorizerConfigError(`${path}.localCa`, 'a PEM certificate');
    }
    fetch.localCa = value.localCa;
  }
  return fetch;
}

export function parseJwtConfig(jwt: Json): JwtConfig {
  if (!Array.isArray(jwt.issuers) || jwt.issuers.length === 0) {
    throw new InvalidAuthorizerConfigError('jwt.issuers', 'a non-empty array of trusted issuers');
  }
  const issuers = jwt.issuers.map((issuer, i) => parseIssuer(issuer, `jwt.issuers[${i}]`));
  if (new Set(issuers.map((i) => i.issuer)).size !== issuers.length) {
    throw new InvalidAuthorizerConfigError('jwt.issuers', 'issuers with distinct issuer values');
  }
  const clash = uidPrefixClash(issuers);
  if (clash) throw new InvalidAuthorizerConfigError(`jwt.issuers[${clash.index}].uidPrefix`, clash.expected);
  return {
    issuers,
    maxTokenBytes: positiveInt(jwt, 'maxTokenBytes', 'jwt.maxTokenBytes'),
    jwksFetch: parseJwksFetch(jwt.jwksFetch),
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  AUTHORIZER_DEFAULTS,
  ISSUER_FIELDS as BAKED_ISSUER_FIELDS,
  InvalidAuthorizerConfigError,
  type IssuerConfig,
  issuerProblem,
  JWKS_FETCH_DEFAULTS,
  type JwksFetchConfig,
  keyAgeProblem,
  CONFIG_PATTERNS as P,
  parseJwks,
  type PinnedJwk,
  CONFIG_RANGES as R,
  type TokenUse,
  uidPrefixClash,
} from '../../lambda/key-authorizer/contract';
import {
  InvalidConfigError,
  readDurationIn,
  readIntegerIn,
  readList,
  readOptionalString,
  readString,
  safeJson,
  type Context,
} from './context-values';

const VIEWER_ID_PREFIX =
  'a viewer-id prefix of 1–32 of A-Z a-z 0-9 _ . : | @ + -, such as "partner:" (it is put before the uidClaim value)';

export const TOKEN_NAME = P.claimName;
/** A trustedIssuers entry has the baked issuer's fields, with its lifetime as a duration (`maxLifetime`). */
const ISSUER_FIELDS: readonly string[] = BAKED_ISSUER_FIELDS.map((field) => (field === 'maxLifetimeSeconds' ? 'maxLifetime' : field));

/** A JWKS given inline (object or JSON string) or as the path of a JWKS file, relative to the project. */
export function readJwksValue(value: unknown, key: string, baseDir: string): { keys: PinnedJwk[] } {
  if (typeof value === 'string' && !value.trim().startsWith('{')) {
    const path = isAbsolute(value) ? value : join(baseDir, value);
    if (!existsSync(path)) throw new InvalidConfigError(key, 'a JWKS object or the path of a JWKS file that exists', value);
    value = safeJson(readFileSync(path, 'utf8'), key);
  } else if (typeof value === 'string') {
    value = safeJson(value, key);
  }
  try {
    return parseJwks(value, key);
  } catch (error) {
    if (error instanceof InvalidAuthorizerConfigError) {
      throw new InvalidConfigError(key, `a JWKS of public RS256/ES256/ES384 keys, each with kid and alg (${error.message})`, undefined);
    }
    throw error;
  }
}

/** The single-issuer keys (jwtIssuer, jwtAudience, jwks, …): the CLI's own `keygen`/`token` pair, or any pinned issuer. */
function readShorthandIssuer(context: Context, baseDir: string): IssuerConfig {
  const audience = typeof context.jwtAudience === 'string' && !context.jwtAudience.startsWith('[') ? [context.jwtAudience] : undefined;
  return {
    issuer: readString(context, 'jwtIssuer', P.issuerUrl, 'the exact https issuer URL of your tokens (the iss claim)'),
    audience: audience ?? readList(context, 'jwtAudience', P.audience, 'audience strings (the aud claim)'),
    clientIds: [],
    jwks: readJwksValue(context.jwks, 'jwks', baseDir),
    maxLifetimeSeconds: readDurationIn(context, 'jwtMaxLifetime', R.issuerMaxLifetimeSeconds, '24h'),
    uidClaim: readString(context, 'uidClaim', TOKEN_NAME, 'a claim name', AUTHORIZER_DEFAULTS.uidClaim),
    videosClaim: readString(context, 'videosClaim', TOKEN_NAME, 'a claim name', AUTHORIZER_DEFAULTS.videosClaim),
  };
}

function readTrustedIssuer(value: unknown, index: number, baseDir: string): IssuerConfig {
  const key = `trustedIssuers[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(key, 'an object such as {"issuer": "https://…", "audience": ["…"], "jwksUri": "https://…"}', value);
  }
  const entry = value as Context;
  const unknown = Object.keys(entry).filter((k) => !ISSUER_FIELDS.includes(k));
  if (unknown.length > 0)
    throw new InvalidConfigError(`${key}.${unknown[0]}`, `absent (known fields: ${ISSUER_FIELDS.join(', ')})`, entry[unknown[0]]);
  // Readers name the field by its full path, so an error points at the exact entry.
  const fields: Context = Object.fromEntries(Object.entries(entry).map(([k, v]) => [`${key}.${k}`, v]));
  const issuer: IssuerConfig = {
    issuer: readString(fields, `${key}.issuer`, P.issuerUrl, 'the exact https issuer URL of the provider (the iss claim)'),
    audience: readList(fields, `${key}.audience`, P.audience, 'accepted aud values'),
    clientIds: readList(fields, `${key}.clientIds`, P.audience, 'accepted client_id values'),
    maxLifetimeSeconds: readDurationIn(fields, `${key}.maxLifetime`, R.issuerMaxLifetimeSeconds, '24h'),
    uidClaim: readString(fields, `${key}.uidClaim`, TOKEN_NAME, 'a claim name', AUTHORIZER_DEFAULTS.uidClaim),
    videosClaim: readString(fields, `${key}.videosClaim`, TOKEN_NAME, 'a claim name', AUTHORIZER_DEFAULTS.videosClaim),
  };
  const uidPrefix = readOptionalString(fields, `${key}.uidPrefix`, P.uidPrefix, VIEWER_ID_PREFIX);
  if (uidPrefix !== undefined) issuer.uidPrefix = uidPrefix;
  if (entry.jwks !== undefined) issuer.jwks = readJwksValue(entry.jwks, `${key}.jwks`, baseDir);
  if (entry.jwksUri !== undefined) {
    if (typeof entry.jwksUri !== 'string' || !P.jwksUri.test(entry.jwksUri)) {
      throw new InvalidConfigError(
        `${key}.jwksUri`,
        'an https URL without query or fragment (the edge fetches keys over https only)',
        entry.jwksUri,
      );
    }
    issuer.jwksUri = entry.jwksUri;
  }
  if (issuer.jwks === undefined && issuer.jwksUri === undefined) {
    throw new InvalidConfigError(`${key}.jwksUri`, "set (the provider's jwks_uri), or jwks set to pinned keys", undefined);
  }
  if (entry.tokenUse !== undefined) {
    if (entry.tokenUse !== 'id' && entry.tokenUse !== 'access')
      throw new InvalidConfigError(`${key}.tokenUse`, '"id" or "access"', entry.tokenUse);
    issuer.tokenUse = entry.tokenUse as TokenUse;
  }
  if (entry.typ !== undefined) issuer.typ = readString(fields, `${key}.typ`, P.typ, 'a JOSE typ such as "at+jwt"');
  const problem = issuerProblem(issuer);
  if (problem) throw new InvalidConfigError(`${key}.${problem.field}`, problem.expected, entry[problem.field]);
  return issuer;
}

/**
 * Every issuer the authorizer trusts: the single-issuer keys (when `jwtIssuer` is set) first, then
 * `trustedIssuers`. At least one; no issuer twice (a token picks its issuer by `iss`).
 */
export function readTrustedIssuers(context: Context, baseDir: string): IssuerConfig[] {
  const issuers: IssuerConfig[] = [];
  const listed = context.trustedIssuers === undefined ? [] : context.trustedIssuers;
  const list = typeof listed === 'string' ? safeJson(listed, 'trustedIssuers') : listed;
  if (!Array.isArray(list)) throw new InvalidConfigError('trustedIssuers', 'a list of issuer objects', listed);
  if (context.jwtIssuer !== undefined || list.length === 0) issuers.push(readShorthandIssuer(context, baseDir));
  issuers.push(...list.map((entry, i) => readTrustedIssuer(entry, i, baseDir)));
  const seen = new Set<string>();
  for (const { issuer } of issuers) {
    if (seen.has(issuer))
      throw new InvalidConfigError('trustedIssuers', `each issuer once ("${issuer}" is listed twice, jwtIssuer included)`, issuer);
    seen.add(issuer);
  }
  const clash = uidPrefixClash(issuers);
  if (clash) {
    // The shorthand issuer (jwtIssuer) has no prefix, so a clash is always between trustedIssuers entries.
    const index = clash.index - (issuers.length - list.length);
    throw new InvalidConfigError(`trustedIssuers[${index}].uidPrefix`, clash.expected, issuers[clash.index].uidPrefix);
  }
  return issuers;
}

/** How the edge fetches JWKS URLs; the deadline is bounded so that fetch and store lookup fit the 5 s Lambda@Edge budget. */
export function readJwksFetch(context: Context): Omit<JwksFetchConfig, 'localCa'> {
  if (context.jwksLocalCa !== undefined) {
    throw new InvalidConfigError(
      'jwksLocalCa',
      'absent: a local CA for JWKS URLs is for `keygate dev` and tests, never a deployment',
      '(a certificate)',
    );
  }
  const cooldownSeconds = readDurationIn(context, 'jwksCooldown', R.jwksCooldownSeconds, `${JWKS_FETCH_DEFAULTS.cooldownSeconds}s`);
  const maxKeyAgeSeconds = readDurationIn(context, 'jwksMaxKeyAge', R.jwksMaxKeyAgeSeconds, `${JWKS_FETCH_DEFAULTS.maxKeyAgeSeconds}s`);
  const keyAgeTooShort = keyAgeProblem(cooldownSeconds, maxKeyAgeSeconds);
  if (keyAgeTooShort)
    throw new InvalidConfigError('jwksMaxKeyAge', `${keyAgeTooShort}: raise it or lower jwksCooldown`, context.jwksMaxKeyAge);
  return {
    timeoutMs: readIntegerIn(context, 'jwksFetchTimeoutMs', R.jwksFetchTimeoutMs, JWKS_FETCH_DEFAULTS.timeoutMs),
    maxBytes: readIntegerIn(context, 'jwksMaxBytes', R.jwksMaxBytes, JWKS_FETCH_DEFAULTS.maxBytes),
    cooldownSeconds,
    maxKeyAgeSeconds,
  };
}

import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import { isSessionId, isVideoId, isViewerId } from '../entitlements/entitlement-schema';
import { COMPACT_JWS_PATTERN as COMPACT_JWS } from './compact-jws';
import type { IssuerConfig, JwtConfig, PinnedJwk, SigningAlgorithm } from '../config/issuer-config';
import { SIGNING_ALGORITHMS } from '../config/issuer-config';
import { IssuerKeys, type JwksFetchReport } from './issuer-keys';
import { httpsJwksFetcher, type JwksFetcher } from './jwks-fetch';
import { VerifiedTokenMemo } from './verified-token-memo';

/** What a verified token says about its bearer. */
export interface VerifiedIdentity {
  /** The viewer id: the issuer's `uidPrefix` (if any) followed by its uid claim. */
  uid: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** When present, the only videos this token may open. */
  videos?: string[];
  /** Set when verifying this token waited for the issuer's JWKS URL. */
  jwksFetch?: JwksFetchReport;
  /** The playback session id (stream limits), from the configured session claim. */
  sessionId?: string;
}

/**
 * `jwks-unavailable`: the token names a key we could only learn from its issuer, and the issuer did not
 * answer, or may not be asked again yet (the fetch cooldown): retryable, after `nextFetchInSeconds`.
 */
export type TokenRejection = 'bad-token' | 'token-expired' | 'jwks-unavailable';

export class TokenRejectedError extends Error {
  /** Set when the rejection came after waiting for the issuer's JWKS URL. */
  jwksFetch?: JwksFetchReport;

  constructor(
    readonly reason: TokenRejection,
    detail: string,
  ) {
    super(detail);
    this.name = 'TokenRejectedError';
  }
}

/** Header parameters that would let the token choose its own key or change how it is processed. */
const REFUSED_HEADER_PARAMETERS = ['crit', 'jwk', 'jku', 'x5u', 'x5c', 'b64', 'zip', 'enc'];
/** A token issued this far in the future is refused: a future `iat` would outlive a revocation. */
const ISSUED_AT_SKEW_SECONDS = 60;

function reject(reason: TokenRejection, detail: string): never {
  throw new TokenRejectedError(reason, detail);
}

function decodeJsonPart(part: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return reject('bad-token', 'a token part is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) reject('bad-token', 'a token part is not an object');
  return parsed as Record<string, unknown>;
}

function numericClaim(payload: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) reject('bad-token', `${name} must be a number`);
  return value;
}

interface Issuer {
  config: IssuerConfig;
  keys: IssuerKeys;
  signatures: ReturnType<typeof signatureVerifier>;
}

/** aws-jwt-verify for one issuer, reading only the keys we cache into it: `verifySync` never fetches. */
function signatureVerifier(issuer: string) {
  // Audience and client id are checked by us (either may match); the library checks iss, exp, nbf and the signature.
  // The URI is never fetched: the library requires one, and verifySync only reads the cache.
  return JwtVerifier.create({ issuer, audience: null, jwksUri: 'https://jwks.invalid/keygate-cached.json' });
}

/** Header checks before any key lookup: the token may not choose its algorithm outside our list, nor its key source. */
function checkHeader(header: Record<string, unknown>): { kid: string; alg: SigningAlgorithm } {
  if (!SIGNING_ALGORITHMS.includes(header.alg as SigningAlgorithm)) reject('bad-token', `alg ${String(header.alg)} is not accepted`);
  for (const name of REFUSED_HEADER_PARAMETERS) {
    if (name in header) reject('bad-token', `header parameter ${name} is refused`);
  }
  if (typeof header.kid !== 'string') reject('bad-token', 'kid is missing');
  return { kid: header.kid, alg: header.alg as SigningAlgorithm };
}

function isMeantForUs(payload: Record<string, unknown>, issuer: IssuerConfig): boolean {
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (audiences.some((a) => typeof a === 'string' && issuer.audience.includes(a))) return true;
  return typeof payload.client_id === 'string' && issuer.clientIds.includes(payload.client_id);
}

export interface TokenVerifier {
  /** Verifies a compact JWS at `nowSeconds` with the keys held now (never fetches); throws TokenRejectedError. */
  verify(token: string, nowSeconds: number): VerifiedIdentity;
  /**
   * The edge path: as `verify`, but a `kid` we do not hold, from an issuer with a `jwksUri`, waits for
   * one refresh of that issuer's keys. Returns a Promise only then: a known key costs no await.
   */
  verifyOrFetch(token: string, nowSeconds: number): VerifiedIdentity | Promise<VerifiedIdentity>;
}

export interface TokenVerifierOptions {
  /** The claim holding the playback session id (stream limits), whichever issuer signed the token. */
  sessionIdClaim?: string;
  fetchJwks?: JwksFetcher;
  /** Milliseconds since the epoch, for the fetch cooldown and the fetched keys' age. */
  now?: () => number;
  /** Tokens verified a moment ago, served without checking their signature again (verified-token-memo.ts). */
  memo?: VerifiedTokenMemo<MemoisedToken>;
}

/** What the memo keeps of a verified token: its identity, and the key that verified it, which must still be held. */
export interface MemoisedToken {
  identity: Readonly<VerifiedIdentity>;
  keys: IssuerKeys;
  kid: string;
  key: PinnedJwk;
}

/**
 * A strict verifier over aws-jwt-verify's `verifySync` for a list of trusted issuers, picked by the
 * token's `iss`. aws-jwt-verify checks the signature, `iss` and `exp`/`nbf` against the wall clock;
 * the checks it leaves optional (`exp` and `iat` present, lifetime, `crit`, embedded keys, alg
 * allow-list, audience or client id, token use, `typ`) and the time checks against the injected clock are ours.
 */
export function createTokenVerifier(config: JwtConfig, options: TokenVerifierOptions = {}): TokenVerifier {
  const { sessionIdClaim, memo } = options;
  const fetchJwks = options.fetchJwks ?? httpsJwksFetcher(config.jwksFetch);
  const now = options.now ?? (() => Date.now());
  const issuers = new Map<string, Issuer>();
  for (const issuerConfig of config.issuers) {
    const signatures = signatureVerifier(issuerConfig.issuer);
    if (issuerConfig.jwks) signatures.cacheJwks({ keys: issuerConfig.jwks.keys as never });
    const keys = new IssuerKeys(issuerConfig, config.jwksFetch, fetchJwks, now, (held) => signatures.cacheJwks({ keys: held as never }));
    issuers.set(issuerConfig.issuer, { config: issuerConfig, keys, signatures });
  }

  /** Everything that needs no key: shape, size, header, issuer. */
  function parse(token: string) {
    if (token.length > config.maxTokenBytes) reject('bad-token', 'token is larger than the cap');
    if (!COMPACT_JWS.test(token)) reject('bad-token', 'token is not a compact JWS');
    const [headerPart, payloadPart] = token.split('.');
    const header = decodeJsonPart(headerPart);
    const { kid, alg } = checkHeader(header);
    const payload = decodeJsonPart(payloadPart);
    const issuer = typeof payload.iss === 'string' ? issuers.get(payload.iss) : undefined;
    if (!issuer) return reject('bad-token', 'iss is not a trusted issuer');
    const { typ } = issuer.config;
    if (typ !== undefined && (typeof header.typ !== 'string' || header.typ.toLowerCase() !== typ.toLowerCase())) {
      reject('bad-token', `typ must be ${typ}`);
    }
    return { kid, alg, payload, issuer };
  }

  function check(token: string, parsed: ReturnType<typeof parse>, key: PinnedJwk, nowSeconds: number): VerifiedIdentity {
    const { payload, issuer } = parsed;
    const { config: trusted } = issuer;
    if (key.alg !== parsed.alg) reject('bad-token', 'alg does not match the key');
    // A token without exp or iat is refused whatever its signature: both are required here.
    const expiresAt = numericClaim(payload, 'exp', true) as number;
    const issuedAt = numericClaim(payload, 'iat', true) as number;
    const notBefore = numericClaim(payload, 'nbf', false);
    try {
      issuer.signatures.verifySync(token);
    } catch (error) {
      if (error instanceof JwtExpiredError) reject('token-expired', 'token has expired');
      reject('bad-token', error instanceof Error ? error.name : 'verification failed');
    }
    if (expiresAt <= nowSeconds) reject('token-expired', 'token has expired');
    if (notBefore !== undefined && notBefore > nowSeconds) reject('bad-token', 'token is not valid yet');
    if (issuedAt > nowSeconds + ISSUED_AT_SKEW_SECONDS) reject('bad-token', 'iat is in the future');
    if (expiresAt - issuedAt > trusted.maxLifetimeSeconds) reject('bad-token', 'token lifetime exceeds the maximum');
    if (!isMeantForUs(payload, trusted)) reject('bad-token', 'neither aud nor client_id is accepted');
    if (trusted.tokenUse !== undefined && payload.token_use !== trusted.tokenUse)
      reject('bad-token', `token_use must be ${trusted.tokenUse}`);
    const claimed = payload[trusted.uidClaim];
    // Each issuer's viewers live under its own prefix: grants, revocations, leases and logs all use the prefixed id.
    const uid = typeof claimed === 'string' ? `${trusted.uidPrefix ?? ''}${claimed}` : claimed;
    if (!isViewerId(claimed) || !isViewerId(uid)) reject('bad-token', `claim ${trusted.uidClaim} is not a viewer id`);
    const identity: VerifiedIdentity = { uid, issuedAt, expiresAt };
    const videos = payload[trusted.videosClaim];
    if (videos !== undefined) {
      if (!Array.isArray(videos) || !videos.every(isVideoId)) {
        reject('bad-token', `claim ${trusted.videosClaim} must be an array of video ids`);
      }
      identity.videos = videos as string[];
    }
    const sessionId = sessionIdClaim === undefined ? undefined : payload[sessionIdClaim];
    if (sessionId !== undefined) {
      if (!isSessionId(sessionId)) reject('bad-token', `claim ${sessionIdClaim} must be a session id (8–64 of A-Z a-z 0-9 _ -)`);
      identity.sessionId = sessionId;
    }
    return identity;
  }

  /** The identity of a token verified a moment ago, if the key that verified it is still held. */
  function remembered(token: string, nowSeconds: number): VerifiedIdentity | undefined {
    // An oversized token is refused by parse() before it costs a hash.
    if (memo === undefined || token.length > config.maxTokenBytes) return undefined;
    const entry = memo.get(VerifiedTokenMemo.keyOf(token), nowSeconds);
    // A key withdrawn from the issuer's JWKS (or aged out) withdraws its tokens' entries too.
    if (entry === undefined || entry.keys.find(entry.kid) !== entry.key) return undefined;
    return entry.identity;
  }

  /** check(), remembering what it concluded for the same token's next requests. */
  function checkAndRemember(token: string, parsed: ReturnType<typeof parse>, key: PinnedJwk, nowSeconds: number): VerifiedIdentity {
    const identity = check(token, parsed, key, nowSeconds);
    if (memo !== undefined) {
      if (identity.videos) Object.freeze(identity.videos);
      const value = { identity: Object.freeze(identity), keys: parsed.issuer.keys, kid: parsed.kid, key };
      memo.remember(VerifiedTokenMemo.keyOf(token), value, nowSeconds, identity.expiresAt);
    }
    return identity;
  }

  async function fetchThenCheck(token: string, parsed: ReturnType<typeof parse>, nowSeconds: number): Promise<VerifiedIdentity> {
    const report = await parsed.issuer.keys.refresh();
    try {
      const key = parsed.issuer.keys.find(parsed.kid);
      if (key) return { ...checkAndRemember(token, parsed, key, nowSeconds), jwksFetch: report };
      // Only a fetch made for this request (or joined by it) can say the kid is not the issuer's:
      // within the cooldown the key may have been published since, so the answer is "retry later".
      if (!report.available) reject('jwks-unavailable', "the issuer's JWKS could not be fetched");
      if (report.outcome === 'cooldown') reject('jwks-unavailable', "the issuer's JWKS may not be fetched again yet");
      return reject('bad-token', "kid is not in the issuer's JWKS");
    } catch (error) {
      if (error instanceof TokenRejectedError) error.jwksFetch = report;
      throw error;
    }
  }

  return {
    verify(token, nowSeconds) {
      const known = remembered(token, nowSeconds);
      if (known) return known;
      const parsed = parse(token);
      const key = parsed.issuer.keys.find(parsed.kid);
      if (!key) reject('bad-token', 'kid is not held');
      return checkAndRemember(token, parsed, key, nowSeconds);
    },
    verifyOrFetch(token, nowSeconds) {
      const known = remembered(token, nowSeconds);
      if (known) return known;
      const parsed = parse(token);
      const key = parsed.issuer.keys.find(parsed.kid);
      if (key) return checkAndRemember(token, parsed, key, nowSeconds);
      if (!parsed.issuer.keys.canFetch) reject('bad-token', 'kid is not pinned');
      return fetchThenCheck(token, parsed, nowSeconds);
    },
  };
}

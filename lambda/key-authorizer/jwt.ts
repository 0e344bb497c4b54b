import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { JwtConfig, PinnedJwk, SigningAlgorithm } from './authorizer-config';
import { SIGNING_ALGORITHMS } from './authorizer-config';
import { isSessionId, isVideoId, isViewerId } from './entitlement-schema';

/** What a verified token says about its bearer. */
export interface VerifiedIdentity {
  uid: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** When present, the only videos this token may open. */
  videos?: string[];
  /** The playback session id (stream limits), from the configured session claim. */
  sessionId?: string;
}

export type TokenRejection = 'bad-token' | 'token-expired';

export class TokenRejectedError extends Error {
  constructor(
    readonly reason: TokenRejection,
    detail: string,
  ) {
    super(detail);
    this.name = 'TokenRejectedError';
  }
}

/** Three base64url parts, unpadded: Buffer's decoder silently skips other characters, so refuse them first. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
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

function checkHeader(header: Record<string, unknown>, keys: Map<string, PinnedJwk>): void {
  if (!SIGNING_ALGORITHMS.includes(header.alg as SigningAlgorithm)) reject('bad-token', `alg ${String(header.alg)} is not accepted`);
  for (const name of REFUSED_HEADER_PARAMETERS) {
    if (name in header) reject('bad-token', `header parameter ${name} is refused`);
  }
  if (typeof header.kid !== 'string') reject('bad-token', 'kid is missing');
  const key = keys.get(header.kid);
  if (!key) reject('bad-token', 'kid is not pinned');
  if (key.alg !== header.alg) reject('bad-token', 'alg does not match the pinned key');
}

function numericClaim(payload: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) reject('bad-token', `${name} must be a number`);
  return value;
}

export interface TokenVerifier {
  /** Verifies a compact JWS at `nowSeconds`; throws TokenRejectedError. */
  verify(token: string, nowSeconds: number): VerifiedIdentity;
}

/**
 * A strict verifier over aws-jwt-verify's `verifySync` with the JWKS pinned by `cacheJwks`
 * (no fetch can ever happen). aws-jwt-verify checks the signature, `iss`, `aud` and `exp`/`nbf`
 * against the wall clock; the checks it leaves optional (`exp` and `iat` present, lifetime,
 * `crit`, embedded keys, alg allow-list) and the time checks against the injected clock are ours.
 */
export function createTokenVerifier(config: JwtConfig, sessionIdClaim?: string): TokenVerifier {
  const keys = new Map(config.jwks.keys.map((k) => [k.kid, k]));
  const verifier = JwtVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    // Never fetched: verifySync only reads the cached JWKS. The library requires a URI.
    jwksUri: 'https://jwks.invalid/keygate-pinned.json',
  });
  verifier.cacheJwks({ keys: config.jwks.keys as never });

  return {
    verify(token: string, nowSeconds: number): VerifiedIdentity {
      if (token.length > config.maxTokenBytes) reject('bad-token', 'token is larger than the cap');
      if (!COMPACT_JWS.test(token)) reject('bad-token', 'token is not a compact JWS');
      const [headerPart, payloadPart] = token.split('.');
      checkHeader(decodeJsonPart(headerPart), keys);
      const payload = decodeJsonPart(payloadPart);
      // A token without exp or iat is refused whatever its signature: both are required here.
      const expiresAt = numericClaim(payload, 'exp', true) as number;
      const issuedAt = numericClaim(payload, 'iat', true) as number;
      const notBefore = numericClaim(payload, 'nbf', false);
      try {
        verifier.verifySync(token);
      } catch (error) {
        if (error instanceof JwtExpiredError) reject('token-expired', 'token has expired');
        reject('bad-token', error instanceof Error ? error.name : 'verification failed');
      }
      if (expiresAt <= nowSeconds) reject('token-expired', 'token has expired');
      if (notBefore !== undefined && notBefore > nowSeconds) reject('bad-token', 'token is not valid yet');
      if (issuedAt > nowSeconds + ISSUED_AT_SKEW_SECONDS) reject('bad-token', 'iat is in the future');
      if (expiresAt - issuedAt > config.maxLifetimeSeconds) reject('bad-token', 'token lifetime exceeds the maximum');
      const uid = payload[config.uidClaim];
      if (!isViewerId(uid)) reject('bad-token', `claim ${config.uidClaim} is not a viewer id`);
      const identity: VerifiedIdentity = { uid, issuedAt, expiresAt };
      const videos = payload[config.videosClaim];
      if (videos !== undefined) {
        if (!Array.isArray(videos) || !videos.every(isVideoId)) {
          reject('bad-token', `claim ${config.videosClaim} must be an array of video ids`);
        }
        identity.videos = videos as string[];
      }
      const sessionId = sessionIdClaim === undefined ? undefined : payload[sessionIdClaim];
      if (sessionId !== undefined) {
        if (!isSessionId(sessionId)) reject('bad-token', `claim ${sessionIdClaim} must be a session id (8–64 of A-Z a-z 0-9 _ -)`);
        identity.sessionId = sessionId;
      }
      return identity;
    },
  };
}

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PinnedJwk, SigningAlgorithm } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';

export interface SigningKey {
  alg: SigningAlgorithm;
  kid: string;
  privateKey: KeyObject;
  /** The public half as the authorizer pins it. */
  jwk: PinnedJwk;
}

const CURVES: Record<'ES256' | 'ES384', string> = { ES256: 'P-256', ES384: 'P-384' };
const HASHES: Record<SigningAlgorithm, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384' };

/** The public JWK of a private key, with a kid derived from it (RFC 7638 thumbprint). */
function publicJwkOf(privateKey: KeyObject, alg: SigningAlgorithm): PinnedJwk {
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
  const members =
    exported.kty === 'RSA' ? { e: exported.e, kty: 'RSA', n: exported.n } : { crv: exported.crv, kty: 'EC', x: exported.x, y: exported.y };
  if (alg === 'RS256' ? exported.kty !== 'RSA' : exported.kty !== 'EC' || exported.crv !== CURVES[alg]) {
    throw new KeygateError(`the key does not fit ${alg}: it is ${exported.kty}${exported.crv ? ` on ${exported.crv}` : ''}`);
  }
  const kid = createHash('sha256').update(JSON.stringify(members)).digest('base64url');
  return { ...(members as Omit<PinnedJwk, 'kid' | 'alg'>), kid, alg, use: 'sig' } as PinnedJwk;
}

export function generateSigningKey(alg: SigningAlgorithm = 'ES256'): SigningKey {
  const { privateKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: CURVES[alg] });
  const jwk = publicJwkOf(privateKey, alg);
  return { alg, kid: jwk.kid, privateKey, jwk };
}

/** Reads a PEM private key and infers its algorithm (RSA → RS256, P-256 → ES256, P-384 → ES384). */
export function loadSigningKey(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new KeygateError('the file is not a PEM private key');
  }
  const details = privateKey.asymmetricKeyDetails ?? {};
  let alg: SigningAlgorithm;
  if (privateKey.asymmetricKeyType === 'rsa') alg = 'RS256';
  else if (privateKey.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') alg = 'ES256';
  else if (privateKey.asymmetricKeyType === 'ec' && details.namedCurve === 'secp384r1') alg = 'ES384';
  else throw new KeygateError('only RSA, P-256 and P-384 keys are supported (RS256, ES256, ES384)');
  const jwk = publicJwkOf(privateKey, alg);
  return { alg, kid: jwk.kid, privateKey, jwk };
}

export function exportPrivateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a compact JWS with the key's algorithm (ES signatures in the JOSE r||s form). */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, extraHeader: Record<string, unknown> = {}): string {
  const signingInput = `${b64url({ alg: key.alg, typ: 'JWT', kid: key.kid, ...extraHeader })}.${b64url(claims)}`;
  const signature = sign(HASHES[key.alg], Buffer.from(signingInput), {
    key: key.privateKey,
    ...(key.alg === 'RS256' ? {} : { dsaEncoding: 'ieee-p1363' as const }),
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

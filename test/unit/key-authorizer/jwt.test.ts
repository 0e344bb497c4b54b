import { createHmac, createSign, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { createTokenVerifier, TokenRejectedError } from '../../../lambda/key-authorizer/identity/jwt';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';
import {
  AUDIENCE,
  ISSUER,
  makeAuthorizerConfig,
  makeIssuer,
  makeJwtConfig,
  makeToken,
  nowSeconds,
  signingKeys,
} from '../../fixtures/authorizer-fixtures';

const config = makeAuthorizerConfig();
const verifier = createTokenVerifier(config.jwt);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function rejection(token: string, now = nowSeconds()): string {
  try {
    verifier.verify(token, now);
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

function claims(extra: Record<string, unknown> = {}) {
  const iat = nowSeconds();
  return { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat, exp: iat + 600, ...extra };
}

/** Re-signs arbitrary header and payload with the ES256 key, so only the part under test is wrong. */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = cryptoSign('sha256', Buffer.from(input), { key: signingKeys.ES256.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const es256Header = { alg: 'ES256', typ: 'JWT', kid: signingKeys.ES256.kid };

describe('createTokenVerifier accepts', () => {
  it.each(['ES256', 'ES384', 'RS256'] as const)('a valid %s token signed by a pinned key', (alg) => {
    const identity = verifier.verify(makeToken('alice', {}, signingKeys[alg]), nowSeconds());
    expect(identity.uid).toBe('alice');
  });

  it('returns the vids claim as the token scope', () => {
    expect(verifier.verify(makeToken('alice', { vids: ['a', 'b'] }), nowSeconds()).videos).toEqual(['a', 'b']);
  });

  it('accepts a viewer id of well-formed non-ASCII characters, surrogate pairs included', () => {
    expect(verifier.verify(makeToken('zoë🎬'), nowSeconds()).uid).toBe('zoë🎬');
  });

  it('reads the viewer id from the configured claim', () => {
    const custom = createTokenVerifier(makeJwtConfig([makeIssuer({ uidClaim: 'custom:uid' })]));
    expect(custom.verify(makeToken('ignored', { 'custom:uid': 'bob' }), nowSeconds()).uid).toBe('bob');
  });

  it('accepts a token whose audience is one of several configured audiences', () => {
    const multi = createTokenVerifier(makeJwtConfig([makeIssuer({ audience: ['other', AUDIENCE] })]));
    expect(multi.verify(makeToken('alice'), nowSeconds()).uid).toBe('alice');
  });
});

describe('the attack corpus: every token is refused', () => {
  const now = nowSeconds();
  const unpinnedRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const valid = makeToken('alice');
  const [validHeader, validPayload, validSignature] = valid.split('.');
  const foreignKey = generateSigningKey('ES256');

  const corpus: [string, () => string, string][] = [
    ['alg none with an empty signature', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'bad-token'],
    [
      'alg none with a signature part',
      () => `${b64({ alg: 'none', kid: signingKeys.ES256.kid })}.${b64(claims())}.${validSignature}`,
      'bad-token',
    ],
    [
      'HS256 signed with the RSA public key as the HMAC secret',
      () => {
        const secret = signingKeys.RS256.privateKey.export({ format: 'pem', type: 'pkcs8' });
        const input = `${b64({ alg: 'HS256', kid: signingKeys.RS256.kid })}.${b64(claims())}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
      'bad-token',
    ],
    ['an unknown kid', () => signJwt(claims(), foreignKey), 'bad-token'],
    ['no kid at all', () => signRaw({ alg: 'ES256', typ: 'JWT' }, claims()), 'bad-token'],
    ['a kid of another algorithm (alg/key mismatch)', () => signRaw({ ...es256Header, kid: signingKeys.ES384.kid }, claims()), 'bad-token'],
    ['RS256 header over the EC key', () => signRaw({ ...es256Header, alg: 'RS256' }, claims()), 'bad-token'],
    ['an embedded jwk header', () => signJwt(claims(), foreignKey, { kid: signingKeys.ES256.kid, jwk: foreignKey.jwk }), 'bad-token'],
    ['a jku header', () => signRaw({ ...es256Header, jku: 'https://evil.test/jwks' }, claims()), 'bad-token'],
    ['an x5u header', () => signRaw({ ...es256Header, x5u: 'https://evil.test/cert' }, claims()), 'bad-token'],
    ['a crit header', () => signRaw({ ...es256Header, crit: ['exp'] }, claims()), 'bad-token'],
    ['a crit header naming an unknown extension', () => signRaw({ ...es256Header, crit: ['x-ext'], 'x-ext': 1 }, claims()), 'bad-token'],
    ['an expired token', () => makeToken('alice', { iat: now - 700, exp: now - 100 }), 'token-expired'],
    ['a token expiring this very second', () => makeToken('alice', { exp: now }), 'token-expired'],
    ['nbf in the future', () => makeToken('alice', { nbf: now + 300 }), 'bad-token'],
    ['iat far in the future', () => makeToken('alice', { iat: now + 3600, exp: now + 3700 }), 'bad-token'],
    ['a lifetime over the maximum', () => makeToken('alice', { exp: now + 25 * 3600 }), 'bad-token'],
    ['a wrong issuer', () => makeToken('alice', { iss: 'https://evil.test' }), 'bad-token'],
    ['an issuer with a trailing slash', () => makeToken('alice', { iss: `${ISSUER}/` }), 'bad-token'],
    ['a wrong audience', () => makeToken('alice', { aud: 'someone-else' }), 'bad-token'],
    ['a missing audience', () => makeToken('alice', { aud: undefined }), 'bad-token'],
    ['a missing exp', () => makeToken('alice', { exp: undefined }), 'bad-token'],
    ['exp as a string', () => makeToken('alice', { exp: String(now + 600) }), 'bad-token'],
    ['a missing iat', () => makeToken('alice', { iat: undefined }), 'bad-token'],
    ['a missing sub', () => makeToken('alice', { sub: undefined }), 'bad-token'],
    ['sub that is not a string', () => makeToken('alice', { sub: 42 }), 'bad-token'],
    ['sub holding a control character', () => makeToken('ali\nce'), 'bad-token'],
    ['sub holding a lone high surrogate (DynamoDB would read it as U+FFFD)', () => makeToken('a\ud800'), 'bad-token'],
    ['sub holding a lone low surrogate', () => makeToken('a\udc00'), 'bad-token'],
    ['vids that is not an array', () => makeToken('alice', { vids: 'movie' }), 'bad-token'],
    ['vids holding a malformed id', () => makeToken('alice', { vids: ['../x'] }), 'bad-token'],
    ['vids holding an id with a lone surrogate', () => makeToken('alice', { vids: ['movie\ud800'] }), 'bad-token'],
    [
      'a bad signature (payload changed after signing)',
      () => `${validHeader}.${b64(claims({ sub: 'mallory' }))}.${validSignature}`,
      'bad-token',
    ],
    ['a zero signature', () => `${validHeader}.${validPayload}.${Buffer.alloc(64).toString('base64url')}`, 'bad-token'],
    ['a truncated signature', () => `${validHeader}.${validPayload}.${validSignature.slice(0, 40)}`, 'bad-token'],
    [
      'a DER-encoded ES256 signature',
      () => {
        const input = `${validHeader}.${validPayload}`;
        return `${input}.${cryptoSign('sha256', Buffer.from(input), signingKeys.ES256.privateKey).toString('base64url')}`;
      },
      'bad-token',
    ],
    [
      'RS256 signed by a key that is not pinned but reusing a pinned kid',
      () => {
        const input = `${b64({ alg: 'RS256', kid: signingKeys.RS256.kid })}.${b64(claims())}`;
        return `${input}.${createSign('sha256').update(input).sign(unpinnedRsa.privateKey).toString('base64url')}`;
      },
      'bad-token',
    ],
    ['malformed base64 in the payload', () => `${validHeader}.${validPayload.slice(0, -2)}*!.${validSignature}`, 'bad-token'],
    ['base64 padding characters', () => `${validHeader}.${validPayload}==.${validSignature}`, 'bad-token'],
    [
      'standard base64 (+ and /) in the signature',
      () => `${validHeader}.${validPayload}.${validSignature.replace(/-/g, '+').replace(/_/g, '/')}x+/`,
      'bad-token',
    ],
    ['a header that is not JSON', () => `${b64('not json')}.${validPayload}.${validSignature}`, 'bad-token'],
    ['a header that is a JSON array', () => `${b64([1, 2])}.${validPayload}.${validSignature}`, 'bad-token'],
    ['a two-part token', () => `${validHeader}.${validPayload}`, 'bad-token'],
    ['a four-part token', () => `${valid}.${validSignature}`, 'bad-token'],
    ['an empty string', () => '', 'bad-token'],
    ['an oversized token', () => makeToken('alice', { pad: 'x'.repeat(5000) }), 'bad-token'],
    ['a token with whitespace inside', () => `${validHeader}. ${validPayload}.${validSignature}`, 'bad-token'],
  ];

  it('holds at least 30 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus)('refuses %s', (_name, makeAttack, reason) => {
    expect(rejection(makeAttack(), now)).toBe(reason);
  });

  it('still accepts the untampered token the attacks were derived from', () => {
    expect(rejection(valid, now)).toBe('accepted');
  });
});

describe('time is judged against the injected clock', () => {
  it('refuses a token that has expired by the injected clock though not by the wall clock', () => {
    const token = makeToken('alice');
    expect(rejection(token, nowSeconds() + 601)).toBe('token-expired');
  });

  it('refuses a token not yet valid by the injected clock', () => {
    const token = makeToken('alice', { nbf: nowSeconds() - 5 });
    expect(rejection(token, nowSeconds() - 60)).toBe('bad-token');
  });
});

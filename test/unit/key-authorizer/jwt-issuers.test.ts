import { createTokenVerifier, TokenRejectedError, type TokenVerifier } from '../../../lambda/key-authorizer/identity/jwt';
import { JwksFetchError } from '../../../lambda/key-authorizer/identity/jwks-fetch';
import { generateSigningKey, signJwt, type SigningKey } from '../../../lib/admin/signing-keys';
import { makeIssuer, makeJwtConfig, makeToken, nowSeconds, signingKeys } from '../../fixtures/authorizer-fixtures';

const PROVIDER = 'https://idp.example.com/';
const providerKey = generateSigningKey('RS256');

function providerToken(claims: Record<string, unknown> = {}, key: SigningKey = providerKey, header: Record<string, unknown> = {}) {
  const iat = nowSeconds();
  return signJwt({ iss: PROVIDER, aud: 'keygate-app', sub: 'alice', iat, exp: iat + 600, ...claims }, key, header);
}

async function reasonOf(verify: () => unknown): Promise<string> {
  try {
    await verify();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

/** A verifier trusting the fixture issuer and a provider served by a fake JWKS URL. */
function verifierWithProvider(overrides = {}, served: () => Promise<unknown> = async () => ({ keys: [providerKey.jwk] })) {
  let fetches = 0;
  const provider = makeIssuer({ issuer: PROVIDER, audience: ['keygate-app'], jwks: undefined, jwksUri: `${PROVIDER}jwks`, ...overrides });
  const verifier: TokenVerifier = createTokenVerifier(makeJwtConfig([makeIssuer(), provider]), {
    fetchJwks: () => {
      fetches += 1;
      return served();
    },
    now: () => Date.now(),
  });
  return { verifier, fetches: () => fetches };
}

describe('a verifier with several trusted issuers', () => {
  it('picks the issuer by iss: a fixture-signed token claiming the provider is refused', async () => {
    const { verifier } = verifierWithProvider();
    const forged = signJwt(
      { iss: PROVIDER, aud: 'keygate-app', sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 60 },
      signingKeys.ES256,
    );
    expect(await reasonOf(() => verifier.verifyOrFetch(forged, nowSeconds()))).toBe('bad-token');
  });

  it('refuses a token from an issuer it does not trust, without fetching anything', async () => {
    const { verifier, fetches } = verifierWithProvider();
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({ iss: 'https://evil.example.com/' }), nowSeconds()))).toBe(
      'bad-token',
    );
    expect(fetches()).toBe(0);
  });

  it('answers a held key synchronously, and a pinned-only issuer never returns a Promise', () => {
    const { verifier } = verifierWithProvider();
    const identity = verifier.verifyOrFetch(makeToken('alice'), nowSeconds());
    expect(identity).not.toBeInstanceOf(Promise);
    expect(() => verifier.verifyOrFetch(makeToken('alice', {}, generateSigningKey('ES256')), nowSeconds())).toThrow(TokenRejectedError);
  });

  it('fetches an unknown kid of an issuer with a jwksUri, then holds it', async () => {
    const { verifier, fetches } = verifierWithProvider();
    const fetched = await verifier.verifyOrFetch(providerToken(), nowSeconds());
    expect(fetched).toMatchObject({ uid: 'alice', jwksFetch: { outcome: 'fetched', available: true } });
    expect(verifier.verifyOrFetch(providerToken(), nowSeconds())).toMatchObject({ uid: 'alice' });
    expect(fetches()).toBe(1);
  });

  it('never fetches through verify(): an unknown kid is simply not held', async () => {
    const { verifier, fetches } = verifierWithProvider();
    expect(await reasonOf(() => verifier.verify(providerToken(), nowSeconds()))).toBe('bad-token');
    expect(fetches()).toBe(0);
  });

  it('refuses with jwks-unavailable when the fetch fails, and says so in the rejection', async () => {
    const { verifier } = verifierWithProvider({}, () => Promise.reject(new JwksFetchError('timeout')));
    const rejection = await Promise.resolve()
      .then(() => verifier.verifyOrFetch(providerToken(), nowSeconds()))
      .catch((error: unknown) => error);
    expect(rejection).toMatchObject({ reason: 'jwks-unavailable', jwksFetch: { outcome: 'failed' } });
  });

  it('refuses as bad-token a kid the fetched JWKS does not have', async () => {
    const { verifier } = verifierWithProvider();
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({}, generateSigningKey('RS256')), nowSeconds()))).toBe('bad-token');
  });

  it('accepts a client_id listed in clientIds when the token has no matching aud (Cognito access tokens)', async () => {
    const { verifier } = verifierWithProvider({ audience: [], clientIds: ['app-client'] });
    const token = providerToken({ aud: undefined, client_id: 'app-client', token_use: 'access' });
    expect(await verifier.verifyOrFetch(token, nowSeconds())).toMatchObject({ uid: 'alice' });
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({ aud: undefined, client_id: 'other' }), nowSeconds()))).toBe(
      'bad-token',
    );
  });

  it('refuses a token with neither an accepted aud nor an accepted client_id', async () => {
    const { verifier } = verifierWithProvider();
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({ aud: 'someone-else' }), nowSeconds()))).toBe('bad-token');
  });

  it.each([
    ['id', 'access', 'bad-token'],
    ['access', 'id', 'bad-token'],
    ['id', undefined, 'bad-token'],
    ['id', 'id', 'accepted'],
  ])('with tokenUse %s, a token_use of %s is %s', async (required, carried, expected) => {
    const { verifier } = verifierWithProvider({ tokenUse: required });
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({ token_use: carried }), nowSeconds()))).toBe(expected);
  });

  it('requires the configured typ, case-insensitively', async () => {
    const { verifier } = verifierWithProvider({ typ: 'at+jwt' });
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken(), nowSeconds()))).toBe('bad-token');
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({}, providerKey, { typ: 'AT+JWT' }), nowSeconds()))).toBe('accepted');
  });

  it('applies the lifetime cap and uid claim of the issuer that signed the token', async () => {
    const { verifier } = verifierWithProvider({ maxLifetimeSeconds: 300, uidClaim: 'username' });
    const iat = nowSeconds();
    expect(await reasonOf(() => verifier.verifyOrFetch(providerToken({ username: 'bob', exp: iat + 600 }), iat))).toBe('bad-token');
    expect(await verifier.verifyOrFetch(providerToken({ username: 'bob', exp: iat + 300 }), iat)).toMatchObject({ uid: 'bob' });
    expect(verifier.verify(makeToken('carol', { exp: iat + 3600 }), iat).uid).toBe('carol');
  });
});

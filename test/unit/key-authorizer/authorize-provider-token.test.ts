import { createTokenVerifier } from '../../../lambda/key-authorizer/jwt';
import { JwksFetchError } from '../../../lambda/key-authorizer/jwks-fetch';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';
import { makeIssuer, makeJwtConfig, nowSeconds } from '../../fixtures/authorizer-fixtures';
import { bearer, makeAuthorizer, reasonOf, statusOf } from '../../fixtures/authorizer-harness';

const PROVIDER = 'https://idp.example.com';
const providerKey = generateSigningKey('RS256');
const KEY = '/keys/movie/0.key';

function providerToken(uid: string, claims: Record<string, unknown> = {}) {
  const iat = nowSeconds();
  return signJwt({ iss: PROVIDER, aud: 'keygate-app', sub: uid, iat, exp: iat + 600, ...claims }, providerKey);
}

/** The pure authorizer trusting a provider whose JWKS URL is a fake: `fetchJwks` decides what it answers. */
function withProvider(fetchJwks: () => Promise<unknown>) {
  const harness = makeAuthorizer();
  let fetches = 0;
  const provider = makeIssuer({ issuer: PROVIDER, audience: ['keygate-app'], jwks: undefined, jwksUri: `${PROVIDER}/jwks` });
  harness.deps.verifier = createTokenVerifier(makeJwtConfig([makeIssuer(), provider]), {
    fetchJwks: () => {
      fetches += 1;
      return fetchJwks();
    },
    now: () => harness.clock.nowMs,
  });
  return { ...harness, fetches: () => fetches };
}

describe('authorizeKeyRequest with a token from an identity provider', () => {
  it('allows an entitled viewer after one JWKS fetch, and logs the fetch on that request only', async () => {
    const { authorize, store, logs, fetches } = withProvider(async () => ({ keys: [providerKey.jwk] }));
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(providerToken('alice')) }))).toBe(200);
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(providerToken('alice')) }))).toBe(200);
    expect(logs.map((l) => l.jwksFetch)).toEqual(['fetched', undefined]);
    expect(fetches()).toBe(1);
  });

  it('refuses with 401 jwks-unavailable when the fetch fails, without reading the store', async () => {
    const { authorize, store, logs } = withProvider(() => Promise.reject(new JwksFetchError('connect ECONNREFUSED')));
    store.grant('alice', 'movie');
    const outcome = await authorize({ uri: KEY, headers: bearer(providerToken('alice')) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'jwks-unavailable']);
    expect(logs[0]).toMatchObject({ decision: 'deny', reason: 'jwks-unavailable', jwksFetch: 'failed', cache: 'none' });
    expect(store.lookups).toBe(0);
  });

  it('applies path-token rules to a provider token in the path like any other', async () => {
    const { authorize, store } = withProvider(async () => ({ keys: [providerKey.jwk] }));
    store.grant('alice', 'movie');
    const unscoped = await authorize({ uri: `/t/${providerToken('alice')}${KEY}` });
    expect([statusOf(unscoped), reasonOf(unscoped)]).toEqual([401, 'bad-token']);
    expect(statusOf(await authorize({ uri: `/t/${providerToken('alice', { vids: ['movie'] })}${KEY}` }))).toBe(200);
  });
});

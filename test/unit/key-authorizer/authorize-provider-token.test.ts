import { createTokenVerifier } from '../../../lambda/key-authorizer/identity/jwt';
import { EARLY_REFETCH_AFTER_SECONDS } from '../../../lambda/key-authorizer/identity/issuer-keys';
import { JwksFetchError } from '../../../lambda/key-authorizer/identity/jwks-fetch';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';
import { makeIssuer, makeJwtConfig, nowSeconds } from '../../fixtures/authorizer-fixtures';
import { bearer, makeAuthorizer, reasonOf, statusOf } from '../../fixtures/authorizer-harness';

const PROVIDER = 'https://idp.example.com';
const providerKey = generateSigningKey('RS256');
const newKey = generateSigningKey('ES256');
const KEY = '/keys/movie/0.key';

function providerToken(uid: string, claims: Record<string, unknown> = {}, key = providerKey) {
  const iat = nowSeconds();
  return signJwt({ iss: PROVIDER, aud: 'keygate-app', sub: uid, iat, exp: iat + 600, ...claims }, key);
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

  it('answers a key published after the last fetch with a retryable 401 jwks-unavailable and Retry-After, then allows it', async () => {
    let served = [providerKey.jwk];
    const { authorize, store, logs, clock, fetches } = withProvider(async () => ({ keys: served }));
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(providerToken('alice')) }))).toBe(200);
    served = [providerKey.jwk, newKey.jwk];
    clock.nowMs += 2000;
    const early = await authorize({ uri: KEY, headers: bearer(providerToken('alice', {}, newKey)) });
    expect([statusOf(early), reasonOf(early)]).toEqual([401, 'jwks-unavailable']);
    expect(early.kind === 'respond' && early.response.headers['retry-after']).toBe(String(EARLY_REFETCH_AFTER_SECONDS - 2));
    expect(logs[1]).toMatchObject({ reason: 'jwks-unavailable', jwksFetch: 'cooldown' });
    clock.nowMs += (EARLY_REFETCH_AFTER_SECONDS - 2) * 1000;
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(providerToken('alice', {}, newKey)) }))).toBe(200);
    expect(fetches()).toBe(2);
  });

  it('gives Retry-After until the cooldown ends once the early refetch is spent, never bad-token', async () => {
    const { authorize, clock } = withProvider(async () => ({ keys: [providerKey.jwk] }));
    await authorize({ uri: KEY, headers: bearer(providerToken('alice', {}, newKey)) });
    clock.nowMs += EARLY_REFETCH_AFTER_SECONDS * 1000;
    await authorize({ uri: KEY, headers: bearer(providerToken('alice', {}, newKey)) });
    clock.nowMs += 10_500;
    const refused = await authorize({ uri: KEY, headers: bearer(providerToken('alice', {}, newKey)) });
    expect([statusOf(refused), reasonOf(refused)]).toEqual([401, 'jwks-unavailable']);
    expect(refused.kind === 'respond' && refused.response.headers['retry-after']).toBe(String(30 - EARLY_REFETCH_AFTER_SECONDS - 10));
  });

  it('skips odd keys of a fetched set one by one, naming each in the decision line, and still verifies with the others', async () => {
    const { kty: _kty, crv: _crv, x: _x, y: _y, ...noKeyMaterial } = newKey.jwk;
    const { e: _e, ...rsaWithoutE } = { ...generateSigningKey('RS256').jwk, kid: 'rsa-without-e' };
    const odd = [
      { ...noKeyMaterial, kid: 'oct-as-rs256', kty: 'oct', alg: 'RS256', k: 'c2VjcmV0' },
      { ...generateSigningKey('ES384').jwk, kid: 'p384-as-es256', alg: 'ES256' },
      rsaWithoutE,
    ];
    const { authorize, store, logs } = withProvider(async () => ({ keys: [...odd, providerKey.jwk] }));
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(providerToken('alice')) }))).toBe(200);
    expect(logs[0].jwksSkippedKeys).toEqual([
      '"oct-as-rs256": key must be a public key (it holds private key material)',
      '"p384-as-es256": key must be an EC key on P-256 for ES256',
      '"rsa-without-e": key.e must be a non-empty string',
    ]);
  });
});

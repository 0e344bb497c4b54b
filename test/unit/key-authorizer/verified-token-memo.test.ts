import { createTokenVerifier, TokenRejectedError, type MemoisedToken } from '../../../lambda/key-authorizer/identity/jwt';
import { VERIFIED_TOKEN_MEMO_SECONDS, VerifiedTokenMemo } from '../../../lambda/key-authorizer/identity/verified-token-memo';
import { bearer, makeAuthorizer, reasonOf, statusOf } from '../../fixtures/authorizer-harness';
import { makeAuthorizerConfig, makeIssuer, makeJwtConfig, makeToken, nowSeconds } from '../../fixtures/authorizer-fixtures';
import { generateSigningKey, signJwt } from '../../../lib/admin/signing-keys';

const KEY = '/keys/movie/0.key';
/** Every request reads the store: what is under test is the token memo, not the entitlement cache. */
const NO_CACHE = { cache: { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 } };

/** Changes one character in the middle of the signature: another token, whose signature no longer verifies. */
function oneByteApart(token: string): string {
  const at = token.lastIndexOf('.') + 20;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

function verifierWithMemo(maxEntries = 100) {
  const memo = new VerifiedTokenMemo<MemoisedToken>(maxEntries);
  return { memo, verifier: createTokenVerifier(makeAuthorizerConfig().jwt, { memo }) };
}

function rejectionOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

async function rejectionOfAsync(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return 'accepted';
}

const PROVIDER = 'https://idp.example.com/';
const providerKey = generateSigningKey('RS256');

describe('VerifiedTokenMemo', () => {
  it('serves an entry until the token expires, and not from its exp on', () => {
    const memo = new VerifiedTokenMemo<string>(10);
    memo.remember('k', 'alice', 1_000, 1_030);
    expect([memo.get('k', 1_000), memo.get('k', 1_029), memo.get('k', 1_030)]).toEqual(['alice', 'alice', undefined]);
  });

  it('serves an entry no longer than its bound after verification, however late the token expires', () => {
    const memo = new VerifiedTokenMemo<string>(10);
    memo.remember('k', 'alice', 1_000, 1_000 + 3_600);
    expect(memo.get('k', 1_000 + VERIFIED_TOKEN_MEMO_SECONDS - 1)).toBe('alice');
    expect(memo.get('k', 1_000 + VERIFIED_TOKEN_MEMO_SECONDS)).toBeUndefined();
  });

  it('serves nothing at a time before the verification (a clock that went back)', () => {
    const memo = new VerifiedTokenMemo<string>(10);
    memo.remember('k', 'alice', 1_000, 1_030);
    expect(memo.get('k', 999)).toBeUndefined();
  });

  it('holds at most its bound of entries, forgetting the oldest first', () => {
    const memo = new VerifiedTokenMemo<number>(3);
    for (let i = 0; i < 50; i += 1) {
      memo.remember(`token-${i}`, i, 1_000, 1_030);
      expect(memo.size).toBeLessThanOrEqual(3);
    }
    expect([memo.get('token-46', 1_000), memo.get('token-47', 1_000), memo.get('token-49', 1_000)]).toEqual([undefined, 47, 49]);
  });

  it('keys tokens one byte apart differently', () => {
    const token = makeToken('alice');
    expect(VerifiedTokenMemo.keyOf(oneByteApart(token))).not.toBe(VerifiedTokenMemo.keyOf(token));
  });
});

describe('a token verifier with a memo', () => {
  it('serves a token verified a moment ago from the memo', () => {
    const { memo, verifier } = verifierWithMemo();
    const token = makeToken('alice');
    const first = verifier.verify(token, nowSeconds());
    expect(memo.size).toBe(1);
    // The very object remembered: no second verification made a new one.
    expect(verifier.verifyOrFetch(token, nowSeconds())).toBe(first);
  });

  it('does not serve a token one byte apart from a remembered one: it is verified, and refused', () => {
    const { verifier } = verifierWithMemo();
    const token = makeToken('alice');
    verifier.verify(token, nowSeconds());
    expect(rejectionOf(() => verifier.verify(oneByteApart(token), nowSeconds()))).toBe('bad-token');
    expect(rejectionOf(() => verifier.verifyOrFetch(oneByteApart(token), nowSeconds()))).toBe('bad-token');
  });

  it('refuses a remembered token once it has expired', () => {
    const { verifier } = verifierWithMemo();
    const iat = nowSeconds();
    const token = makeToken('alice', { iat, exp: iat + 30 });
    verifier.verify(token, iat);
    expect(rejectionOf(() => verifier.verify(token, iat + 29))).toBe('accepted');
    expect(rejectionOf(() => verifier.verify(token, iat + 30))).toBe('token-expired');
  });

  it('remembers no more tokens than its bound', () => {
    const { memo, verifier } = verifierWithMemo(5);
    for (let i = 0; i < 20; i += 1) verifier.verify(makeToken(`viewer-${i}`), nowSeconds());
    expect(memo.size).toBe(5);
  });

  it("refuses a remembered token once its key has left the issuer's JWKS", async () => {
    const provider = makeIssuer({ issuer: PROVIDER, audience: ['keygate-app'], jwks: undefined, jwksUri: `${PROVIDER}jwks` });
    const clock = { nowMs: Date.now() };
    let served = [providerKey.jwk];
    const memo = new VerifiedTokenMemo<MemoisedToken>(100);
    const verifier = createTokenVerifier(makeJwtConfig([provider], { cooldownSeconds: 10, maxKeyAgeSeconds: 40 }), {
      memo,
      fetchJwks: async () => ({ keys: served }),
      now: () => clock.nowMs,
    });
    const iat = Math.floor(clock.nowMs / 1000);
    const token = signJwt({ iss: PROVIDER, aud: 'keygate-app', sub: 'alice', iat, exp: iat + 600 }, providerKey);
    await verifier.verifyOrFetch(token, iat);
    expect(memo.size).toBe(1);
    // The issuer withdraws the key; the fetched keys age out well inside the memo's bound.
    served = [];
    clock.nowMs += 45_000;
    expect(45).toBeLessThan(VERIFIED_TOKEN_MEMO_SECONDS);
    expect(await rejectionOfAsync(() => verifier.verifyOrFetch(token, iat + 45))).toBe('bad-token');
  });

  it('remembers no refused token', () => {
    const { memo, verifier } = verifierWithMemo();
    rejectionOf(() => verifier.verify(oneByteApart(makeToken('alice')), nowSeconds()));
    expect(memo.size).toBe(0);
  });
});

describe('authorizeKeyRequest with a remembered token', () => {
  it('refuses it once the viewer signed out everywhere (revokedBefore after its iat)', async () => {
    const { authorize, store, memo, clock } = makeAuthorizer(NO_CACHE);
    store.grant('alice', 'movie');
    const token = makeToken('alice', { iat: nowSeconds() - 5 });
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    expect(memo.size).toBe(1);
    store.revokeSessions('alice', Math.floor(clock.nowMs / 1000));
    const outcome = await authorize({ uri: KEY, headers: bearer(token) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'session-revoked']);
  });

  it('refuses it once it has expired', async () => {
    const { authorize, store, clock } = makeAuthorizer(NO_CACHE);
    store.grant('alice', 'movie');
    const iat = Math.floor(clock.nowMs / 1000);
    const token = makeToken('alice', { iat, exp: iat + 30 });
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    clock.nowMs = (iat + 30) * 1000;
    const outcome = await authorize({ uri: KEY, headers: bearer(token) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'token-expired']);
  });

  it('refuses it for a video its vids do not name', async () => {
    const { authorize, store, memo } = makeAuthorizer(NO_CACHE);
    store.grant('alice', '*');
    const token = makeToken('alice', { vids: ['movie'] });
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    expect(memo.size).toBe(1);
    const outcome = await authorize({ uri: '/keys/other/0.key', headers: bearer(token) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([403, 'out-of-scope']);
  });

  it('still applies the path-token rules to it when it arrives in the path', async () => {
    const { authorize, store, memo } = makeAuthorizer(NO_CACHE);
    store.grant('alice', 'movie');
    // Fine as a bearer token; without vids, never as a path token.
    const token = makeToken('alice');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    expect(memo.size).toBe(1);
    const outcome = await authorize({ uri: `/t/${token}${KEY}` });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'bad-token']);
  });
});

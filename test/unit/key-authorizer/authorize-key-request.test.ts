import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { KeyRequest } from '../../../lambda/key-authorizer/authorize-key-request';
import {
  RawItemEntitlementStore,
  bearer,
  cookie,
  makeAuthorizer,
  makeAuthorizerOver,
  reasonOf,
  statusOf,
} from '../../fixtures/authorizer-harness';
import { makeToken, nowSeconds } from '../../fixtures/authorizer-fixtures';

const KEY = '/keys/movie/0.key';
const ORIGIN = 'https://player.keygate.test';

/** A raw `*` item for alice, as an operator's backend might write it. */
const allAccessItem = (extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> => ({
  uid: { S: 'alice' },
  sk: { S: '*' },
  grantedAt: { N: `${nowSeconds()}` },
  ...extra,
});

/** 1 MB that made the former `/^Bearer(?:[ \t]+(.*))?$/i` backtrack for minutes (349 ms at 16 KB). */
const PATHOLOGICAL = `Bearer${' '.repeat(1 << 20)}\u2028x`;

describe('authorizeKeyRequest', () => {
  it('forwards an entitled viewer with every credential stripped', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const token = makeToken('alice');
    const outcome = await authorize({
      uri: KEY,
      headers: { ...bearer(token), cookie: [`keygate_token=${token}; lang=fr`] },
      querystring: `token=${token}&x=1`,
    });
    expect(outcome).toEqual({ kind: 'forward', uri: KEY, request: { headers: { cookie: ['lang=fr'] }, querystring: 'x=1' } });
  });

  it('accepts the token from the cookie and from the query parameter', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: cookie(`keygate_token=${makeToken('alice')}`) }))).toBe(200);
    expect(statusOf(await authorize({ uri: KEY, querystring: `token=${makeToken('alice')}` }))).toBe(200);
  });

  it('answers 401 no-credentials without touching the store', async () => {
    const { authorize, store } = makeAuthorizer();
    const outcome = await authorize({ uri: KEY });
    expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([401, 'no-credentials', 0]);
  });

  it('answers 401 bad-token for a forged token without touching the store', async () => {
    const { authorize, store } = makeAuthorizer();
    const forged = makeToken('alice').slice(0, -4) + 'AAAA';
    const outcome = await authorize({ uri: KEY, headers: bearer(forged) });
    expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([401, 'bad-token', 0]);
  });

  it('does not fall back to a valid cookie when the bearer token is bad', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const outcome = await authorize({ uri: KEY, headers: { ...bearer('x.y.z'), ...cookie(`keygate_token=${makeToken('alice')}`) } });
    expect(reasonOf(outcome)).toBe('bad-token');
  });

  it('answers 401 bad-token for an empty Bearer header even when a valid cookie is present', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const outcome = await authorize({
      uri: KEY,
      headers: { authorization: ['Bearer '], ...cookie(`keygate_token=${makeToken('alice')}`) },
    });
    expect(reasonOf(outcome)).toBe('bad-token');
  });

  it('answers 401 token-expired for an expired token', async () => {
    const { authorize } = makeAuthorizer();
    const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice', { iat: nowSeconds() - 700, exp: nowSeconds() - 10 })) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'token-expired']);
  });

  it('answers 403 out-of-scope when vids does not list the video, without touching the store', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice', { vids: ['other'] })) });
    expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([403, 'out-of-scope', 0]);
  });

  it('allows a token scoped to the requested video', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(makeToken('alice', { vids: ['movie'] })) }))).toBe(200);
  });

  it('answers 403 not-entitled for a viewer without any grant', async () => {
    const { authorize } = makeAuthorizer();
    const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('bob')) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([403, 'not-entitled']);
  });

  it('allows an all-access subscriber any video', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', '*');
    expect(statusOf(await authorize({ uri: '/keys/anything/3.key', headers: bearer(makeToken('alice')) }))).toBe(200);
  });

  it('answers 403 entitlement-expired once a rental has run out, even from the cache', async () => {
    const { authorize, store, clock } = makeAuthorizer();
    store.grant('alice', 'movie', { expiresAt: Math.floor(clock.nowMs / 1000) + 10 });
    const token = makeToken('alice');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    clock.nowMs += 11_000;
    const outcome = await authorize({ uri: KEY, headers: bearer(token) });
    expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([403, 'entitlement-expired', 1]);
  });

  it('answers 401 session-revoked for a token issued before revokedBefore', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    store.revokeSessions('alice', nowSeconds() + 1);
    const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'session-revoked']);
  });

  it('allows a token issued after a session revocation', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    store.revokeSessions('alice', nowSeconds() - 100);
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(makeToken('alice')) }))).toBe(200);
  });

  it('answers 503 store-unavailable with Retry-After when the store fails, and caches nothing', async () => {
    const { authorize, store, config } = makeAuthorizer();
    store.grant('alice', 'movie');
    store.failing = true;
    const token = makeToken('alice');
    const outcome = await authorize({ uri: KEY, headers: bearer(token) });
    expect(outcome.kind).toBe('respond');
    if (outcome.kind !== 'respond') return;
    expect(outcome.response.status).toBe(503);
    expect(outcome.response.headers['retry-after']).toBe(String(config.store.retryAfterSeconds));
    expect(outcome.response.headers['x-keygate-reason']).toBe('store-unavailable');
    store.failing = false;
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
  });

  it('serves a repeated request from the cache: one store lookup per viewer and video within the allow TTL', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const token = makeToken('alice');
    for (let i = 0; i < 5; i++) await authorize({ uri: `/keys/movie/${i}.key`, headers: bearer(token) });
    expect(store.lookups).toBe(1);
  });

  it('sees a revoked grant only after the allow TTL has passed', async () => {
    const { authorize, store, clock, config } = makeAuthorizer();
    store.grant('alice', 'movie');
    const token = makeToken('alice');
    await authorize({ uri: KEY, headers: bearer(token) });
    store.delete('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    clock.nowMs += config.cache.allowTtlSeconds * 1000;
    expect(reasonOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe('not-entitled');
  });

  it('sees a new grant after the deny TTL has passed', async () => {
    const { authorize, store, clock, config } = makeAuthorizer();
    const token = makeToken('alice');
    expect(reasonOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe('not-entitled');
    store.grant('alice', 'movie');
    expect(reasonOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe('not-entitled');
    clock.nowMs += config.cache.denyTtlSeconds * 1000;
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
  });

  it('answers path attacks with 404 and other methods with 405, never touching the store', async () => {
    const { authorize, store } = makeAuthorizer();
    const token = makeToken('alice');
    expect(statusOf(await authorize({ uri: '/keys/../videos/x', headers: bearer(token) }))).toBe(404);
    expect(statusOf(await authorize({ uri: '/keys/%2e%2e/0.key', headers: bearer(token) }))).toBe(404);
    expect(statusOf(await authorize({ method: 'POST', uri: KEY, headers: bearer(token) }))).toBe(405);
    expect(store.lookups).toBe(0);
  });

  it('answers a preflight from a configured origin with CORS and credentials', async () => {
    const { authorize, store } = makeAuthorizer();
    const outcome = await authorize({ method: 'OPTIONS', uri: KEY, headers: { origin: [ORIGIN] } });
    expect(outcome.kind === 'respond' && outcome.response).toMatchObject({
      status: 204,
      headers: {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'authorization',
      },
    });
    expect(store.lookups).toBe(0);
  });

  it('refuses a preflight from an origin that is not configured', async () => {
    const { authorize } = makeAuthorizer();
    const outcome = await authorize({ method: 'OPTIONS', uri: KEY, headers: { origin: ['https://evil.test'] } });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([403, 'origin-not-allowed']);
    expect(outcome.kind === 'respond' && outcome.response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives denials no-store, the reason header, a tiny body and CORS for a configured origin', async () => {
    const { authorize } = makeAuthorizer();
    const outcome = await authorize({ uri: KEY, headers: { origin: [ORIGIN] } });
    expect(outcome.kind === 'respond' && outcome.response).toEqual({
      status: 401,
      headers: {
        'cache-control': 'no-store',
        'content-type': 'text/plain; charset=utf-8',
        'x-keygate-reason': 'no-credentials',
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'x-keygate-reason, retry-after',
        vary: 'Origin',
      },
      body: 'Unauthorized: no-credentials\n',
    });
  });

  describe('an item the schema refuses', () => {
    it('answers 503 store-unavailable, never a key, for a `*` item whose expiresAt is NULL', async () => {
      const store = new RawItemEntitlementStore();
      store.put(allAccessItem({ expiresAt: { NULL: true } }));
      const { authorize } = makeAuthorizerOver(store);
      const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
      expect([statusOf(outcome), reasonOf(outcome)]).toEqual([503, 'store-unavailable']);
    });

    it('logs the malformed-item cause, naming the item and the attribute', async () => {
      const store = new RawItemEntitlementStore();
      store.put(allAccessItem({ expiresAt: { NULL: true } }));
      const { authorize, logs } = makeAuthorizerOver(store);
      await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
      expect(logs[0]).toMatchObject({
        reason: 'store-unavailable',
        storeCause: 'malformed-item',
        storeErrors: ['MalformedItemError: item *: attribute expiresAt must have DynamoDB type N, found NULL'],
      });
    });

    // What the edge role's credentials could once write under a grant's key: never read as a purchase.
    it.each([
      ['a bare {uid, sk}', { uid: { S: 'alice' }, sk: { S: '*' } }],
      ['{uid, sk, ttl}', { uid: { S: 'alice' }, sk: { S: '*' }, ttl: { N: `${nowSeconds() + 3600}` } }],
      [
        'a lease-shaped item',
        {
          uid: { S: 'alice' },
          sk: { S: '*' },
          expiresAt: { N: `${nowSeconds() + 60}` },
          videoId: { S: 'movie' },
          region: { S: 'us-east-1' },
          startedAt: { N: `${nowSeconds()}` },
          renewedAt: { N: `${nowSeconds()}` },
        },
      ],
      ['a grant that also holds a lease attribute', allAccessItem({ renewedAt: { N: `${nowSeconds()}` } })],
    ] as [string, Record<string, AttributeValue>][])(
      'answers 503 malformed-item, never a key, for %s under the `*` key',
      async (_shape, item) => {
        const store = new RawItemEntitlementStore();
        store.put(item);
        const { authorize, logs } = makeAuthorizerOver(store);
        const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
        expect([statusOf(outcome), reasonOf(outcome), logs[0].storeCause]).toEqual([503, 'store-unavailable', 'malformed-item']);
      },
    );

    it('caches nothing from it: once the item is fixed, the next request reads it again', async () => {
      const store = new RawItemEntitlementStore();
      store.put(allAccessItem({ expiresAt: { NULL: true } }));
      const { authorize } = makeAuthorizerOver(store);
      const token = makeToken('alice');
      expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(503);
      store.put(allAccessItem());
      expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
      expect(store.lookups).toBe(2);
    });
  });

  describe('ids that are not well-formed Unicode', () => {
    const loneSurrogates = [
      ['high', 'a\ud800'],
      ['low', 'a\udc00'],
    ];

    it.each(loneSurrogates)('answers 401 bad-token to a sub with a lone %s surrogate, without touching the store', async (_which, uid) => {
      const { authorize, store } = makeAuthorizer();
      const outcome = await authorize({ uri: KEY, headers: bearer(makeToken(uid)) });
      expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([401, 'bad-token', 0]);
    });

    it.each(loneSurrogates)(
      'answers 401 bad-token to a legacy uid cookie with a lone %s surrogate, without touching the store',
      async (_which, uid) => {
        const { authorize, store } = makeAuthorizer({ allowUidCookie: true });
        const outcome = await authorize({ uri: KEY, headers: cookie(`uid=${uid}`) });
        expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([401, 'bad-token', 0]);
      },
    );

    it.each(loneSurrogates)('answers 401 bad-token to vids with a lone %s surrogate, without touching the store', async (_which, id) => {
      const { authorize, store } = makeAuthorizer();
      const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice', { vids: ['movie', id] })) });
      expect([statusOf(outcome), reasonOf(outcome), store.lookups]).toEqual([401, 'bad-token', 0]);
    });
  });

  describe('a 1 MB pathological credential is answered, not choked on', () => {
    const places: [string, Partial<KeyRequest>][] = [
      ['the Authorization header', { headers: { authorization: [PATHOLOGICAL] } }],
      ['the token cookie', { headers: cookie(`keygate_token=${PATHOLOGICAL}`) }],
      ['the token query parameter', { querystring: `token=${PATHOLOGICAL}` }],
    ];

    it.each(places)(
      'in %s',
      async (_place, request) => {
        const { authorize } = makeAuthorizer();
        expect(reasonOf(await authorize({ uri: KEY, ...request }))).toBe('bad-token');
      },
      30_000,
    );

    it('in the legacy uid cookie', async () => {
      const { authorize } = makeAuthorizer({ allowUidCookie: true });
      expect(reasonOf(await authorize({ uri: KEY, headers: cookie(`uid=${PATHOLOGICAL}`) }))).toBe('bad-token');
    }, 30_000);
  });

  describe('the legacy uid cookie', () => {
    it('is refused when allowUidCookie is off', async () => {
      const { authorize, store } = makeAuthorizer();
      store.grant('alice', 'movie');
      expect(reasonOf(await authorize({ uri: KEY, headers: cookie('uid=alice') }))).toBe('no-credentials');
    });

    it('is honoured when allowUidCookie is on', async () => {
      const { authorize, store } = makeAuthorizer({ allowUidCookie: true });
      store.grant('alice', 'movie');
      expect(statusOf(await authorize({ uri: KEY, headers: cookie('uid=alice') }))).toBe(200);
    });

    it('is refused for a viewer with a session revocation, since it carries no issue time', async () => {
      const { authorize, store } = makeAuthorizer({ allowUidCookie: true });
      store.grant('alice', 'movie');
      store.revokeSessions('alice', 1);
      expect(reasonOf(await authorize({ uri: KEY, headers: cookie('uid=alice') }))).toBe('session-revoked');
    });
  });

  describe('the decision log', () => {
    it('writes one line per request with a salted viewer hash and never the uid or the token', async () => {
      const { authorize, store, logs } = makeAuthorizer();
      store.grant('alice', 'movie');
      const token = makeToken('alice');
      await authorize({ uri: KEY, headers: bearer(token) });
      await authorize({ uri: KEY, headers: bearer(token) });
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatchObject({
        decision: 'allow',
        reason: 'entitled',
        status: 200,
        videoId: 'movie',
        cache: 'miss',
        replica: 'test-region',
      });
      expect(logs[1]).toMatchObject({ cache: 'hit' });
      expect(logs[0].viewer).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const text = JSON.stringify(logs);
      expect(text).not.toContain('alice');
      expect(text).not.toContain(token.split('.')[2]);
    });

    it('gives the unavailable cause and each failed replica attempt for a store that does not answer', async () => {
      const { authorize, store, logs } = makeAuthorizer();
      store.failing = true;
      await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
      expect(logs[0]).toMatchObject({ reason: 'store-unavailable', storeCause: 'unavailable', storeErrors: ['test:Boom'] });
    });
  });
});

describe('authorizeKeyRequest with a token in the path', () => {
  const pathKey = (token: string, key = KEY) => `/t/${token}${key}`;
  const scoped = (claims: Record<string, unknown> = {}) => makeToken('alice', { vids: ['movie'], ...claims });

  it('forwards the plain key path, so neither the key bucket nor the cache key sees the token', async () => {
    const { authorize, store, logs } = makeAuthorizer();
    store.grant('alice', 'movie');
    const outcome = await authorize({ uri: pathKey(scoped()) });
    expect(outcome).toMatchObject({ kind: 'forward', uri: KEY });
    expect(logs[0]).toMatchObject({ decision: 'allow', credential: 'path' });
  });

  it('refuses a path token without vids: one that opened every video would be too much to leak', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const outcome = await authorize({ uri: pathKey(makeToken('alice')) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'bad-token']);
    expect(store.lookups).toBe(0);
  });

  it('refuses a path token that lives longer than the path-token cap, though the general cap allows it', async () => {
    const { authorize, store, config } = makeAuthorizer();
    store.grant('alice', 'movie');
    const iat = nowSeconds();
    const tooLong = scoped({ iat, exp: iat + config.pathToken.maxLifetimeSeconds + 1 });
    expect(config.pathToken.maxLifetimeSeconds + 1).toBeLessThan(config.jwt.issuers[0].maxLifetimeSeconds);
    expect(reasonOf(await authorize({ uri: pathKey(tooLong) }))).toBe('bad-token');
    expect(statusOf(await authorize({ uri: pathKey(scoped({ iat, exp: iat + config.pathToken.maxLifetimeSeconds })) }))).toBe(200);
  });

  it('refuses a path token for another video as out of scope', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const other = makeToken('alice', { vids: ['trailer'] });
    expect([statusOf(await authorize({ uri: pathKey(other) })), reasonOf(await authorize({ uri: pathKey(other) }))]).toEqual([
      403,
      'out-of-scope',
    ]);
  });

  it('judges only the token in the path, never a cookie or header beside it', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const good = makeToken('alice');
    const outcome = await authorize({ uri: pathKey(`${scoped()}x`), headers: { ...bearer(good), cookie: [`keygate_token=${good}`] } });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([401, 'bad-token']);
  });

  it('refuses a tampered path token', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('alice', 'movie');
    const [header, payload, signature] = scoped().split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'bob' })).toString(
      'base64url',
    );
    expect(reasonOf(await authorize({ uri: pathKey(`${header}.${forged}.${signature}`) }))).toBe('bad-token');
  });
});

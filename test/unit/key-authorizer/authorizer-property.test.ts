import fc from 'fast-check';
import { bearer, makeAuthorizer } from '../../fixtures/authorizer-harness';
import { makeToken, nowSeconds } from '../../fixtures/authorizer-fixtures';

const NOW = nowSeconds();
const USERS = ['alice', 'bob', 'carol'];
const VIDEOS = ['v1', 'v2'];

/** Genuinely valid tokens, and for each the viewer it proves. */
const validTokens = new Map(USERS.map((uid) => [makeToken(uid, { iat: NOW - 30 }), uid]));
const scopedToV1 = makeToken('alice', { iat: NOW - 30, vids: ['v1'] });
const invalidTokens = [
  makeToken('alice', { iat: NOW - 700, exp: NOW - 100 }),
  makeToken('alice', { aud: 'other' }),
  [...validTokens.keys()][0].slice(0, -3) + 'abc',
  'not-a-token',
  '',
  'a.b.c',
];

const grantArb = fc.record({
  uid: fc.constantFrom(...USERS),
  sk: fc.constantFrom(...VIDEOS, '*'),
  expiresAt: fc.option(fc.integer({ min: NOW - 1000, max: NOW + 1000 }), { nil: undefined }),
});
const revocationArb = fc.record({ uid: fc.constantFrom(...USERS), revokedBefore: fc.integer({ min: NOW - 100, max: NOW + 100 }) });
const tokenArb = fc.oneof(fc.constantFrom(...validTokens.keys(), scopedToV1, ...invalidTokens), fc.string({ maxLength: 40 }));
const uriArb = fc.oneof(
  fc.constantFrom('/keys/v1/0.key', '/keys/v2/3.key', '/keys/../v1/0.key', '/keys/v1//0.key', '/keys/v1/0.KEY', '/keys/%2e%2e/0.key'),
  fc.string({ maxLength: 30 }).map((s) => `/keys/${s}`),
);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'),
  uri: uriArb,
  authorization: fc.option(
    tokenArb.map((t) => `Bearer ${t}`),
    { nil: undefined },
  ),
  cookie: fc.option(
    fc.oneof(
      tokenArb.map((t) => `keygate_token=${t}`),
      fc.constantFrom(...USERS).map((u) => `uid=${u}`),
    ),
    { nil: undefined },
  ),
  query: fc.option(
    tokenArb.map((t) => `token=${t}`),
    { nil: undefined },
  ),
  allowUidCookie: fc.boolean(),
});

/** The reference model: is this viewer entitled to this video right now? */
function entitled(
  grants: { uid: string; sk: string; expiresAt?: number }[],
  revocations: { uid: string; revokedBefore: number }[],
  uid: string,
  videoId: string,
  iat: number,
) {
  const revokedBefore = revocations.filter((r) => r.uid === uid).at(-1)?.revokedBefore;
  if (revokedBefore !== undefined && iat < revokedBefore) return false;
  const latest = (sk: string) => grants.filter((g) => g.uid === uid && g.sk === sk).at(-1);
  return [latest(videoId), latest('*')].some((g) => g !== undefined && (g.expiresAt === undefined || g.expiresAt > NOW));
}

describe('authorizeKeyRequest over random requests', () => {
  it('never forwards a request without a valid credential for a viewer with a live entitlement', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(grantArb, { maxLength: 6 }),
        fc.array(revocationArb, { maxLength: 2 }),
        requestArb,
        async (grants, revocations, req) => {
          const { authorize, store, clock } = makeAuthorizer({ allowUidCookie: req.allowUidCookie });
          clock.nowMs = NOW * 1000;
          for (const g of grants) store.grant(g.uid, g.sk, g.expiresAt === undefined ? {} : { expiresAt: g.expiresAt });
          for (const r of revocations) store.revokeSessions(r.uid, r.revokedBefore);
          const headers: Record<string, string[]> = {};
          if (req.authorization) headers.authorization = [req.authorization];
          if (req.cookie) headers.cookie = [req.cookie];
          const outcome = await authorize({ method: req.method, uri: req.uri, headers, querystring: req.query ?? '' });
          if (outcome.kind !== 'forward') return;

          const match = /^\/keys\/([A-Za-z0-9_-]+)\/[A-Za-z0-9_-]+\.key$/.exec(req.uri);
          expect(match).not.toBeNull();
          expect(['GET', 'HEAD']).toContain(req.method);
          const videoId = match![1];
          // The credential the authorizer must have used: the first one present.
          const bearer = req.authorization !== undefined ? req.authorization.slice(7).trim() : undefined;
          const cookieToken = req.cookie?.startsWith('keygate_token=') ? req.cookie.slice(14) : undefined;
          const token = bearer !== undefined ? bearer : cookieToken || req.query?.slice(6) || undefined;
          if (token !== undefined) {
            const uid = token === scopedToV1 ? 'alice' : validTokens.get(token);
            expect(uid).toBeDefined();
            if (token === scopedToV1) expect(videoId).toBe('v1');
            expect(entitled(grants, revocations, uid!, videoId, NOW - 30)).toBe(true);
          } else {
            // Only the opt-in legacy cookie may carry a viewer without a token, and never past a revocation.
            expect(req.allowUidCookie).toBe(true);
            const uid = req.cookie!.slice(4);
            expect(revocations.some((r) => r.uid === uid)).toBe(false);
            expect(entitled(grants, [], uid, videoId, 0)).toBe(true);
          }
          expect(outcome.request.headers.authorization).toBeUndefined();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never consults the store for a request that is not a well-formed key request', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        const { authorize, store } = makeAuthorizer();
        const wellFormed = /^\/keys\/[A-Za-z0-9_-]{1,128}\/[A-Za-z0-9_-]{1,64}\.key$/.test(req.uri) && ['GET', 'HEAD'].includes(req.method);
        await authorize({ method: req.method, uri: req.uri, headers: req.authorization ? bearer(req.authorization.slice(7)) : {} });
        if (!wellFormed) expect(store.lookups).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

import { MalformedItemError } from '../../../lambda/key-authorizer/entitlements/entitlement-records';
import type { StoreLookup } from '../../../lambda/key-authorizer/entitlements/entitlement-store';
import {
  MemoryEntitlementStore,
  bearer,
  cookie,
  makeAuthorizer,
  makeAuthorizerOver,
  reasonOf,
  statusOf,
} from '../../fixtures/authorizer-harness';
import { makeToken } from '../../fixtures/authorizer-fixtures';

const KEY = '/keys/movie/0.key';
const GRACE = 60;
const ALLOW_TTL = 30;
const cacheConfig = { cache: { allowTtlSeconds: ALLOW_TTL, denyTtlSeconds: 5, maxEntries: 100 } };

/** An authorizer with the grace on, a clock the test moves, and a store it can take down. */
function degraded(staleIfErrorSeconds = GRACE, overrides = {}) {
  const harness = makeAuthorizer({ ...cacheConfig, staleIfErrorSeconds, ...overrides });
  const { clock, store } = harness;
  const t0 = clock.nowMs;
  const at = (seconds: number) => {
    clock.nowMs = t0 + seconds * 1000;
  };
  const nowS = () => Math.floor(clock.nowMs / 1000);
  // Each viewer keeps the token it was issued at the start, as a player does.
  const tokens = new Map<string, string>();
  const tokenOf = (uid: string) => tokens.get(uid) ?? tokens.set(uid, makeToken(uid, { iat: nowS(), exp: nowS() + 600 })).get(uid)!;
  const outcome = async (uid: string, token = tokenOf(uid)) => {
    const result = await harness.authorize({ uri: KEY, headers: bearer(token) });
    return [statusOf(result), reasonOf(result) ?? harness.logs.at(-1)?.reason];
  };
  return { ...harness, store, at, nowS, tokenOf, outcome };
}

describe('the bounded degraded mode (staleIfErrorSeconds)', () => {
  it.each([
    // [what happened before the outage, the answer during it, the history, seconds since the allow was cached]
    ['an allow, the store down within the grace', [200, 'stale-allow'], 'allow', ALLOW_TTL + 1],
    ['an allow, the store down just inside the grace', [200, 'stale-allow'], 'allow', ALLOW_TTL + GRACE - 1],
    ['an allow, the store down once the grace has passed', [503, 'store-unavailable'], 'allow', ALLOW_TTL + GRACE],
    ['a deny, then the store down', [503, 'store-unavailable'], 'deny', ALLOW_TTL + 1],
    ['an allow replaced by a later deny, then the store down', [503, 'store-unavailable'], 'allow-then-deny', ALLOW_TTL + 7],
    ['an allow replaced by a revocation seen, then the store down', [503, 'store-unavailable'], 'allow-then-revoked', ALLOW_TTL + 7],
    ['nothing (a viewer this container never allowed)', [503, 'store-unavailable'], 'never-seen', ALLOW_TTL + 1],
  ])('after %s, answers %j', async (_name, expected, history, outageAt) => {
    const { store, at, outcome } = degraded();
    if (history !== 'never-seen') {
      if (history !== 'deny') store.grant('alice', 'movie');
      expect((await outcome('alice'))[0]).toBe(history === 'deny' ? 403 : 200);
    }
    if (history === 'allow-then-deny' || history === 'allow-then-revoked') {
      if (history === 'allow-then-deny') store.delete('alice', 'movie');
      else store.revokeSessions('alice', Math.floor(Date.now() / 1000) + ALLOW_TTL + 1);
      at(ALLOW_TTL + 1);
      // The fresh lookup after the allow TTL sees the change: its deny replaces the cached allow.
      expect((await outcome('alice'))[0]).not.toBe(200);
    }
    store.grant('alice', 'movie'); // the table would allow again: only the cache may decide during the outage
    store.failing = true;
    at(outageAt);
    expect(await outcome('alice')).toEqual(expected);
  });

  it('refuses a rental that ended after it was cached, though the grace has not passed', async () => {
    const { store, at, outcome, nowS } = degraded();
    store.grant('alice', 'movie', { expiresAt: nowS() + ALLOW_TTL + 5 });
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice')).toEqual([200, 'stale-allow']);
    at(ALLOW_TTL + 6);
    expect(await outcome('alice')).toEqual([503, 'store-unavailable']);
  });

  it('refuses a token issued before a sign-out everywhere, though a newer one of the same viewer was allowed', async () => {
    const { store, at, outcome, nowS } = degraded();
    const beforeSignOut = makeToken('alice', { iat: nowS() - 100, exp: nowS() + 600 });
    store.grant('alice', 'movie');
    store.revokeSessions('alice', nowS() - 10);
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice')).toEqual([200, 'stale-allow']);
    expect(await outcome('alice', beforeSignOut)).toEqual([503, 'store-unavailable']);
  });

  it('refuses a session signed out everywhere, though the sign-out was seen in a lookup for another video', async () => {
    const { store, at, outcome, authorize, nowS } = degraded();
    const token = makeToken('alice', { iat: nowS() - 100, exp: nowS() + 600 });
    store.grant('alice', 'movie');
    store.grant('alice', 'other');
    expect(await outcome('alice', token)).toEqual([200, 'entitled']);
    store.revokeSessions('alice', nowS());
    at(5);
    const other = await authorize({ uri: '/keys/other/0.key', headers: bearer(token) });
    expect([statusOf(other), reasonOf(other)]).toEqual([401, 'session-revoked']);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice', token)).toEqual([503, 'store-unavailable']);
  });

  it('keeps serving, after a sign-out everywhere, the sessions that began after it', async () => {
    const { store, at, outcome, authorize, nowS } = degraded();
    const token = makeToken('alice', { iat: nowS() + 10, exp: nowS() + 600 });
    store.grant('alice', 'movie');
    store.grant('alice', 'other');
    expect(await outcome('alice', token)).toEqual([200, 'entitled']);
    store.revokeSessions('alice', nowS() + 5);
    at(5);
    expect(statusOf(await authorize({ uri: '/keys/other/0.key', headers: bearer(token) }))).toBe(200);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice', token)).toEqual([200, 'stale-allow']);
  });

  it('never serves past the token’s own exp: an expired token is refused whatever the cache holds', async () => {
    const { store, at, outcome, nowS } = degraded();
    store.grant('alice', 'movie');
    const token = makeToken('alice', { iat: nowS(), exp: nowS() + ALLOW_TTL + 10 });
    expect(await outcome('alice', token)).toEqual([200, 'entitled']);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice', token)).toEqual([200, 'stale-allow']);
    at(ALLOW_TTL + 10);
    expect(await outcome('alice', token)).toEqual([401, 'token-expired']);
  });

  it('serves only the viewer and the video that were allowed', async () => {
    const { store, at, outcome, authorize, tokenOf } = degraded();
    store.grant('alice', 'movie');
    store.grant('alice', 'other');
    store.grant('bob', 'movie');
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('bob')).toEqual([503, 'store-unavailable']);
    const otherVideo = await authorize({ uri: '/keys/other/0.key', headers: bearer(tokenOf('alice')) });
    expect([statusOf(otherVideo), reasonOf(otherVideo)]).toEqual([503, 'store-unavailable']);
  });

  it('never serves the legacy uid cookie, which has no expiry to bound it', async () => {
    const { store, at, authorize } = degraded(GRACE, { allowUidCookie: true });
    store.grant('alice', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: cookie('uid=alice') }))).toBe(200);
    store.failing = true;
    at(ALLOW_TTL + 1);
    const outcome = await authorize({ uri: KEY, headers: cookie('uid=alice') });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([503, 'store-unavailable']);
  });

  it('answers 503 for a malformed item even to a viewer allowed moments ago', async () => {
    const store = new MemoryEntitlementStore();
    let malformed = false;
    const lookup = store.lookup.bind(store);
    store.lookup = async (uid: string, videoId: string): Promise<StoreLookup> => {
      if (malformed) throw new MalformedItemError('item movie: expiresAt is not a number');
      return lookup(uid, videoId);
    };
    const { authorize, clock } = makeAuthorizerOver(store, { ...cacheConfig, staleIfErrorSeconds: GRACE });
    store.grant('alice', 'movie');
    const token = makeToken('alice');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(token) }))).toBe(200);
    malformed = true;
    clock.nowMs += (ALLOW_TTL + 1) * 1000;
    const outcome = await authorize({ uri: KEY, headers: bearer(token) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([503, 'store-unavailable']);
  });

  it('with a grace of 0 (the default) answers 503 to every lookup the store fails, as before', async () => {
    const { store, at, outcome } = degraded(0);
    store.grant('alice', 'movie');
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    store.failing = true;
    for (const seconds of [ALLOW_TTL, ALLOW_TTL + 1, ALLOW_TTL + GRACE - 1]) {
      at(seconds);
      expect(await outcome('alice')).toEqual([503, 'store-unavailable']);
    }
  });

  it('logs a stale allow as an allow with status 200, the store failure and no new cache entry', async () => {
    const { store, at, outcome, logs, deps, clock } = degraded();
    store.grant('alice', 'movie');
    await outcome('alice');
    store.failing = true;
    at(ALLOW_TTL + 1);
    expect(await outcome('alice')).toEqual([200, 'stale-allow']);
    expect(logs.at(-1)).toMatchObject({ decision: 'allow', reason: 'stale-allow', status: 200, cache: 'miss', storeCause: 'unavailable' });
    // Served stale, not refreshed: the grace still runs from the allow's expiry.
    at(ALLOW_TTL + GRACE);
    expect(await outcome('alice')).toEqual([503, 'store-unavailable']);
    expect(deps.cache.getStale('alice', 'movie', clock.nowMs)).toBeUndefined();
  });

  it('grants grace after a zero allow TTL too: every request reads the store until it fails', async () => {
    const { store, at, outcome } = degraded(GRACE, { cache: { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 } });
    store.grant('alice', 'movie');
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    expect(await outcome('alice')).toEqual([200, 'entitled']);
    expect(store.lookups).toBe(2);
    store.failing = true;
    at(GRACE - 1);
    expect(await outcome('alice')).toEqual([200, 'stale-allow']);
  });

  it('forgets the grace on a deny read with a zero deny TTL', async () => {
    const { store, at, outcome } = degraded(GRACE, { cache: { allowTtlSeconds: ALLOW_TTL, denyTtlSeconds: 0, maxEntries: 100 } });
    store.grant('alice', 'movie');
    await outcome('alice');
    store.delete('alice', 'movie');
    at(ALLOW_TTL + 1);
    expect(await outcome('alice')).toEqual([403, 'not-entitled']);
    store.grant('alice', 'movie');
    store.failing = true;
    at(ALLOW_TTL + 2);
    expect(await outcome('alice')).toEqual([503, 'store-unavailable']);
  });
});

import { EntitlementCache } from '../../../lambda/key-authorizer/entitlements/entitlement-cache';
import { mayServeStale, rememberRevocation } from '../../../lambda/key-authorizer/entitlements/stale-allow';

const T0 = 1_764_000_000_000;
const T0_S = T0 / 1000;
const viewer = { uid: 'alice', issuedAt: T0_S - 10 };
const allowed = { video: { uid: 'alice', sk: 'movie', grantedAt: 0 } };

/** A cache holding alice's allow for movie: 30 s fresh, then 60 s of grace. */
function cacheWithAllow() {
  const cache = new EntitlementCache(10);
  cache.set('alice', 'movie', allowed, 30, T0, 60);
  return cache;
}

describe('mayServeStale', () => {
  it('serves a viewer whose allow expired less than the grace ago', () => {
    expect(mayServeStale(cacheWithAllow(), viewer, 'movie', T0_S + 3600, T0 + 45_000)).toBe(true);
  });

  it('refuses once the token has expired, even within the grace', () => {
    expect(mayServeStale(cacheWithAllow(), viewer, 'movie', T0_S + 45, T0 + 45_000)).toBe(false);
  });

  it('refuses a credential that carries no expiry', () => {
    expect(mayServeStale(cacheWithAllow(), viewer, 'movie', undefined, T0 + 45_000)).toBe(false);
  });

  it('refuses once the grace has passed', () => {
    expect(mayServeStale(cacheWithAllow(), viewer, 'movie', T0_S + 3600, T0 + 90_000)).toBe(false);
  });

  it('refuses when the cached records no longer allow the viewer', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', { video: { ...allowed.video, expiresAt: T0_S + 40 } }, 30, T0, 60);
    expect(mayServeStale(cache, viewer, 'movie', T0_S + 3600, T0 + 41_000)).toBe(false);
  });

  it('judges the stale records with the newest sign-out everywhere seen for the viewer, and keeps the newest', () => {
    const cache = cacheWithAllow();
    const config = { cache: { allowTtlSeconds: 30, denyTtlSeconds: 5, maxEntries: 10 }, staleIfErrorSeconds: 60 };
    const revocation = (revokedBefore: number) => ({ revocation: { uid: 'alice', sk: '#revoked' as const, revokedBefore } });
    rememberRevocation(cache, 'alice', revocation(T0_S - 5), T0 + 1_000, config);
    rememberRevocation(cache, 'alice', revocation(T0_S - 60), T0 + 2_000, config);
    expect(mayServeStale(cache, viewer, 'movie', T0_S + 3600, T0 + 45_000)).toBe(false);
    expect(mayServeStale(cache, { uid: 'alice', issuedAt: T0_S }, 'movie', T0_S + 3600, T0 + 45_000)).toBe(true);
  });
});

import { EntitlementCache } from '../../../lambda/key-authorizer/entitlements/entitlement-cache';

const records = { video: { uid: 'alice', sk: 'movie', grantedAt: 0 } };

describe('EntitlementCache', () => {
  it('returns an entry until its time to live has passed', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', records, 30, 1_000);
    expect(cache.get('alice', 'movie', 30_999)).toBe(records);
    expect(cache.get('alice', 'movie', 31_000)).toBeUndefined();
  });

  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new EntitlementCache(2);
    cache.set('a', 'v', records, 30, 0);
    cache.set('b', 'v', records, 30, 0);
    cache.get('a', 'v', 1);
    cache.set('c', 'v', records, 30, 1);
    expect([cache.get('a', 'v', 2), cache.get('b', 'v', 2), cache.get('c', 'v', 2)]).toEqual([records, undefined, records]);
    expect(cache.size).toBe(2);
  });

  it('never grows past its bound however many viewers pass', () => {
    const cache = new EntitlementCache(100);
    for (let i = 0; i < 10_000; i++) cache.set(`viewer-${i}`, 'movie', records, 30, i);
    expect(cache.size).toBe(100);
  });

  it('keeps viewers and videos apart', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', records, 30, 0);
    expect(cache.get('alice', 'other', 1)).toBeUndefined();
    expect(cache.get('bob', 'movie', 1)).toBeUndefined();
  });

  it('stores nothing when disabled or with a zero TTL', () => {
    const disabled = new EntitlementCache(0);
    disabled.set('alice', 'movie', records, 30, 0);
    const zeroTtl = new EntitlementCache(10);
    zeroTtl.set('alice', 'movie', records, 0, 0);
    expect([disabled.size, zeroTtl.size]).toEqual([0, 0]);
  });
});

describe('EntitlementCache grace after expiry (the degraded mode)', () => {
  it('misses an expired entry but keeps it for getStale until its grace has passed', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', records, 30, 0, 60);
    expect(cache.get('alice', 'movie', 30_000)).toBeUndefined();
    expect(cache.getStale('alice', 'movie', 30_000)).toBe(records);
    expect(cache.getStale('alice', 'movie', 89_999)).toBe(records);
    expect(cache.getStale('alice', 'movie', 90_000)).toBeUndefined();
  });

  it('drops an expired entry without a grace on the first miss, as before', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', records, 30, 0);
    expect(cache.get('alice', 'movie', 30_000)).toBeUndefined();
    expect([cache.getStale('alice', 'movie', 30_000), cache.size]).toEqual([undefined, 0]);
  });

  it('replaces an entry in its grace with a newer one, even one it does not keep', () => {
    const cache = new EntitlementCache(10);
    cache.set('alice', 'movie', records, 30, 0, 60);
    cache.set('alice', 'movie', {}, 0, 31_000);
    expect([cache.getStale('alice', 'movie', 31_000), cache.size]).toEqual([undefined, 0]);
  });

  it('counts entries in their grace against its bound', () => {
    const cache = new EntitlementCache(100);
    for (let i = 0; i < 1_000; i++) cache.set(`viewer-${i}`, 'movie', records, 30, i * 1000, 300);
    expect(cache.size).toBe(100);
    // The oldest left the map while still in its grace.
    expect(cache.getStale('viewer-0', 'movie', 100_000)).toBeUndefined();
    expect(cache.getStale('viewer-999', 'movie', 1_100_000)).toBe(records);
  });
});

import { CoalescingEntitlementStore } from '../../../lambda/key-authorizer/entitlements/coalescing-store';
import { MemoryEntitlementStore } from '../../fixtures/authorizer-harness';

describe('CoalescingEntitlementStore', () => {
  it('makes one lookup for concurrent requests of the same viewer and video', async () => {
    const inner = new MemoryEntitlementStore();
    inner.grant('alice', 'movie');
    const store = new CoalescingEntitlementStore(inner);
    const results = await Promise.all([1, 2, 3].map(() => store.lookup('alice', 'movie')));
    expect(inner.lookups).toBe(1);
    expect(results.every((r) => r.records.video?.sk === 'movie')).toBe(true);
  });

  it('keeps different viewers and videos apart', async () => {
    const inner = new MemoryEntitlementStore();
    const store = new CoalescingEntitlementStore(inner);
    await Promise.all([store.lookup('alice', 'a'), store.lookup('alice', 'b'), store.lookup('bob', 'a')]);
    expect(inner.lookups).toBe(3);
  });

  it('shares a failure with every waiter and then forgets it', async () => {
    const inner = new MemoryEntitlementStore();
    inner.failing = true;
    const store = new CoalescingEntitlementStore(inner);
    const settled = await Promise.allSettled([store.lookup('alice', 'a'), store.lookup('alice', 'a')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    inner.failing = false;
    await expect(store.lookup('alice', 'a')).resolves.toMatchObject({ replica: 'test-region' });
    expect(inner.lookups).toBe(2);
  });
});

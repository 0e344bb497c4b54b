import type { EntitlementStore, StoreLookup } from './entitlement-store';

/**
 * Shares one lookup among concurrent requests for the same viewer and video: a player that
 * fetches several keys at once on a cold container costs one BatchGetItem, not one each.
 * Only in-flight promises are shared; results are cached (or not) by the decision cache.
 */
export class CoalescingEntitlementStore implements EntitlementStore {
  private readonly inFlight = new Map<string, Promise<StoreLookup>>();

  constructor(private readonly store: EntitlementStore) {}

  lookup(uid: string, videoId: string): Promise<StoreLookup> {
    const key = `${uid}\n${videoId}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.store.lookup(uid, videoId).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }
}

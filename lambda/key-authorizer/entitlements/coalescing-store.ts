import type { EntitlementStore, StoreLookup } from './entitlement-store';

/**
 * Shares one lookup among concurrent requests for the same viewer and video: a player that
 * fetches several keys at once on a cold container costs one BatchGetItem, not one each.
 * Only in-flight promises are shared; results are cached (or not) by the decision cache.
 */
export class CoalescingEntitlementStore implements EntitlementStore {
  private readonly inFlight = new Map<string, Promise<StoreLookup>>();

  constructor(private readonly store: EntitlementStore) {}

  /**
   * A request that joins a lookup under way waits at most for that lookup's deadline: the first
   * request's budget, which started earlier and so ends before the joiner's own.
   */
  lookup(uid: string, videoId: string, budget?: AbortSignal): Promise<StoreLookup> {
    const key = `${uid}\n${videoId}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.store.lookup(uid, videoId, budget).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }
}

import type { EntitlementRecords } from './entitlement-schema';

interface Entry {
  records: EntitlementRecords;
  expiresAtMs: number;
  /** Until when `getStale` may still return it; equal to `expiresAtMs` for an entry without a grace. */
  staleUntilMs: number;
}

/**
 * A bounded LRU of entitlement lookups per (viewer, video), with a time to live per entry.
 * It holds the records rather than the verdict, so a rental's expiry and a token's `iat` are
 * judged afresh on every request; only the store round trip is saved.
 * An entry may keep a grace after it expires (the degraded mode's stale allows); until then it
 * stays in the map and counts against `maxEntries` like any other.
 * Hand-written (a Map keeps insertion order) because the clock must be injected.
 */
export class EntitlementCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(uid: string, videoId: string, nowMs: number): EntitlementRecords | undefined {
    const key = cacheKey(uid, videoId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAtMs <= nowMs) {
      if (entry.staleUntilMs > nowMs) this.entries.set(key, entry);
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.records;
  }

  /** The records of an entry that has expired but is still within its grace; never a fresh read. */
  getStale(uid: string, videoId: string, nowMs: number): EntitlementRecords | undefined {
    const entry = this.entries.get(cacheKey(uid, videoId));
    return entry !== undefined && entry.staleUntilMs > nowMs ? entry.records : undefined;
  }

  /** Stores a lookup for `ttlSeconds`, then `staleSeconds` more for `getStale`; replaces any earlier entry. */
  set(uid: string, videoId: string, records: EntitlementRecords, ttlSeconds: number, nowMs: number, staleSeconds = 0): void {
    const key = cacheKey(uid, videoId);
    // Replace first: a newer lookup (a deny, say) must never leave an older entry's grace behind.
    this.entries.delete(key);
    if (this.maxEntries === 0 || ttlSeconds + staleSeconds === 0) return;
    const expiresAtMs = nowMs + ttlSeconds * 1000;
    this.entries.set(key, { records, expiresAtMs, staleUntilMs: expiresAtMs + staleSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

function cacheKey(uid: string, videoId: string): string {
  // '\n' cannot occur in a uid or a video id, so the key is unambiguous.
  return `${uid}\n${videoId}`;
}

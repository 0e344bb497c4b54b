import type { EntitlementRecords } from './entitlement-schema';

interface Entry {
  records: EntitlementRecords;
  expiresAtMs: number;
}

/**
 * A bounded LRU of entitlement lookups per (viewer, video), with a time to live per entry.
 * It holds the records rather than the verdict, so a rental's expiry and a token's `iat` are
 * judged afresh on every request; only the store round trip is saved.
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
    if (entry.expiresAtMs <= nowMs) return undefined;
    this.entries.set(key, entry);
    return entry.records;
  }

  set(uid: string, videoId: string, records: EntitlementRecords, ttlSeconds: number, nowMs: number): void {
    if (this.maxEntries === 0 || ttlSeconds === 0) return;
    const key = cacheKey(uid, videoId);
    this.entries.delete(key);
    this.entries.set(key, { records, expiresAtMs: nowMs + ttlSeconds * 1000 });
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

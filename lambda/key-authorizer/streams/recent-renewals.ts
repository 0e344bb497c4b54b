/**
 * The sessions this container renewed a moment ago, per (viewer, session): a second key request
 * of the same playback within `skipSeconds` (another rendition, a player that asks per segment)
 * needs no second write. Keyed by session and network, so a renewal never admits another session,
 * nor the same session from another network. The degraded mode reads the same record as evidence
 * that a session's lease is live (stale-allow.ts); a refused or ended session is forgotten.
 * A bounded LRU over a Map; the clock is injected.
 */
export class RecentRenewals {
  private readonly renewedAtMs = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly skipSeconds: number,
  ) {}

  isRecent(uid: string, sessionId: string, network: string | undefined, nowMs: number): boolean {
    return this.renewedWithin(uid, sessionId, network, nowMs, this.skipSeconds);
  }

  /** Whether this container wrote the session's lease less than `seconds` ago (the degraded mode's evidence of a live lease). */
  renewedWithin(uid: string, sessionId: string, network: string | undefined, nowMs: number, seconds: number): boolean {
    const at = this.renewedAtMs.get(entryKey(uid, sessionId, network));
    return at !== undefined && nowMs >= at && nowMs - at < seconds * 1000;
  }

  remember(uid: string, sessionId: string, network: string | undefined, nowMs: number): void {
    if (this.maxEntries === 0 || this.skipSeconds === 0) return;
    const key = entryKey(uid, sessionId, network);
    this.renewedAtMs.delete(key);
    this.renewedAtMs.set(key, nowMs);
    while (this.renewedAtMs.size > this.maxEntries) this.renewedAtMs.delete(this.renewedAtMs.keys().next().value as string);
  }

  forget(uid: string, sessionId: string, network: string | undefined): void {
    this.renewedAtMs.delete(entryKey(uid, sessionId, network));
  }
}

// '\n' occurs in none of the three.
const entryKey = (uid: string, sessionId: string, network: string | undefined) => `${uid}\n${sessionId}\n${network ?? ''}`;

/** A quarter lease: duplicate requests of one key window share a write, while the next window still renews. */
export function renewalSkipSeconds(leaseSeconds: number): number {
  return Math.floor(leaseSeconds / 4);
}

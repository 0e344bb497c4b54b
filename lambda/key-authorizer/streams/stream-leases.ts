import type { EntitlementRecords, LeaseItem } from '../entitlements/entitlement-schema';

/**
 * The lease arithmetic of concurrent-stream limits, pure: which limit applies, whether a lease
 * holds a stream, whether a new session may start, and which sessions keep their streams when
 * more than the limit got in at once (two regions, or two containers, admitting at the same time).
 * Every rule compares stored times with the caller's clock; ranking uses stored values only, so
 * every replica that holds the same leases ranks them the same way whatever its clock says.
 */

export interface StreamSettings {
  /** How long a key request keeps a session's stream: about two key windows. */
  leaseSeconds: number;
  /** How long after its start a session is checked against the limit again, once replicas agree. */
  settleSeconds: number;
}

/** The limit for a request allowed via `via`: that grant's `maxStreams`, else the default, else none. */
export function streamLimitFor(
  records: EntitlementRecords,
  via: 'video' | 'all-access',
  defaultMaxStreams: number | undefined,
): number | undefined {
  const grant = via === 'video' ? records.video : records.allAccess;
  return grant?.maxStreams ?? defaultMaxStreams;
}

/** A lease holds a stream while it has not expired and nobody ended it. */
export function holdsStream(lease: LeaseItem, nowSeconds: number): boolean {
  return lease.endedAt === undefined && lease.expiresAt > nowSeconds;
}

export type AdmissionVerdict = { admitted: true } | { admitted: false; reason: 'stream-limit' | 'session-ended' };

/**
 * Whether `sessionId` may start (or restart after its lease lapsed): an ended session never
 * restarts; otherwise the other live leases must leave room under `limit`.
 */
export function judgeAdmission(leases: LeaseItem[], sessionId: string, limit: number, nowSeconds: number): AdmissionVerdict {
  if (leases.some((lease) => lease.sessionId === sessionId && lease.endedAt !== undefined)) {
    return { admitted: false, reason: 'session-ended' };
  }
  const others = leases.filter((lease) => lease.sessionId !== sessionId && holdsStream(lease, nowSeconds)).length;
  return others < limit ? { admitted: true } : { admitted: false, reason: 'stream-limit' };
}

/** Earliest start first; the session id breaks ties, so every replica agrees on the order. */
function byStart(a: LeaseItem, b: LeaseItem): number {
  return a.startedAt - b.startedAt || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
}

/**
 * After replication settled: does `sessionId` rank among the `limit` earliest live sessions? A
 * session that got in beside others at the same moment (each saw room) and ranks later gives way.
 */
export function keepsStream(leases: LeaseItem[], sessionId: string, limit: number, nowSeconds: number): boolean {
  const live = leases.filter((lease) => lease.sessionId === sessionId || holdsStream(lease, nowSeconds)).sort(byStart);
  const rank = live.findIndex((lease) => lease.sessionId === sessionId);
  return rank >= 0 && rank < limit;
}

/**
 * A session is checked again this many lease periods after its last check: the bound on an extra
 * stream when replication lagged past the first check (a regional outage), at a tenth of a read
 * per key window with the default lease of two windows.
 */
export const RECHECK_AFTER_LEASES = 5;

/**
 * The check against the other sessions is due on the first renewal once replication settled, and
 * again every RECHECK_AFTER_LEASES lease periods.
 */
export function settleCheckDue(lease: LeaseItem, nowSeconds: number, settings: StreamSettings): boolean {
  if (lease.checkedAt === undefined) return nowSeconds >= lease.startedAt + settings.settleSeconds;
  return nowSeconds >= lease.checkedAt + RECHECK_AFTER_LEASES * settings.leaseSeconds;
}

/** The new expiry of a lease renewed (or started) at `nowSeconds`. */
export function leaseExpiry(nowSeconds: number, leaseSeconds: number): number {
  return nowSeconds + leaseSeconds;
}

/** DynamoDB may delete a lease this long after it expired; kept a day so `keygate sessions` can show recent ones. */
export const LEASE_TTL_GRACE_SECONDS = 24 * 3600;

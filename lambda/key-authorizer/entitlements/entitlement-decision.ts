import type { EntitlementRecords, GrantItem } from './entitlement-schema';

export type EntitlementVerdict =
  { allowed: true; via: 'video' | 'all-access' } | { allowed: false; reason: 'not-entitled' | 'entitlement-expired' | 'session-revoked' };

/** The viewer as far as entitlements care: who, and when their credential was issued. */
export interface Viewer {
  uid: string;
  /** Epoch seconds; undefined for the legacy uid cookie, which carries no issue time. */
  issuedAt: number | undefined;
}

function isLive(grant: GrantItem | undefined, nowSeconds: number): boolean {
  return grant !== undefined && (grant.expiresAt === undefined || grant.expiresAt > nowSeconds);
}

/**
 * Judges a viewer's entitlement records at `nowSeconds`. A session revocation wins over any grant;
 * a viewer without an issue time (legacy cookie) cannot prove it came after one, so is refused.
 */
export function judgeEntitlement(records: EntitlementRecords, viewer: Viewer, nowSeconds: number): EntitlementVerdict {
  const revokedBefore = records.revocation?.revokedBefore;
  if (revokedBefore !== undefined && (viewer.issuedAt === undefined || viewer.issuedAt < revokedBefore)) {
    return { allowed: false, reason: 'session-revoked' };
  }
  if (isLive(records.video, nowSeconds)) return { allowed: true, via: 'video' };
  if (isLive(records.allAccess, nowSeconds)) return { allowed: true, via: 'all-access' };
  if (records.video !== undefined || records.allAccess !== undefined) return { allowed: false, reason: 'entitlement-expired' };
  return { allowed: false, reason: 'not-entitled' };
}

import type { EntitlementCache } from './entitlement-cache';
import { judgeEntitlement, type Viewer } from './entitlement-decision';

/**
 * The bounded degraded mode (`staleIfErrorSeconds`), asked only once every replica has failed.
 * A viewer is served if this container allowed them this video and that allow left the cache less
 * than the grace ago: a later lookup that denied (or saw a revocation) replaced the entry, and a
 * viewer never allowed here has none. The cached records are judged again at `nowMs`, so an ended
 * rental refuses; and the token must still be valid, so a credential without an expiry (the legacy
 * uid cookie) never qualifies.
 */
export function mayServeStale(
  cache: EntitlementCache,
  viewer: Viewer,
  videoId: string,
  tokenExpiresAt: number | undefined,
  nowMs: number,
): boolean {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (tokenExpiresAt === undefined || tokenExpiresAt <= nowSeconds) return false;
  const records = cache.getStale(viewer.uid, videoId, nowMs);
  return records !== undefined && judgeEntitlement(records, viewer, nowSeconds).allowed;
}

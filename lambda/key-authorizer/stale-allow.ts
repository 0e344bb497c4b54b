import type { AuthorizerConfig } from './authorizer-config';
import type { EntitlementCache } from './entitlement-cache';
import { judgeEntitlement, type Viewer } from './entitlement-decision';
import { REVOKED_SK, type EntitlementRecords } from './entitlement-schema';

/**
 * The bounded degraded mode (`staleIfErrorSeconds`), asked only once every replica has failed.
 * A viewer is served if this container allowed them this video and that allow left the cache less
 * than the grace ago: a later lookup that denied (or saw a revocation) replaced the entry, and a
 * viewer never allowed here has none. The cached records are judged again at `nowMs`, with the
 * newest sign-out everywhere seen for the viewer in any lookup, so an ended rental or a revoked
 * session refuses; and the token must still be valid, so a credential without an expiry (the legacy
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
  if (records === undefined) return false;
  const seen = cache.getStale(viewer.uid, REVOKED_SK, nowMs)?.revocation;
  const newer = seen !== undefined && seen.revokedBefore > (records.revocation?.revokedBefore ?? -Infinity);
  return judgeEntitlement(newer ? { ...records, revocation: seen } : records, viewer, nowSeconds).allowed;
}

/**
 * Keeps the revocation a lookup read under the viewer's `#revoked` key (never a video id) for the
 * allow TTL plus the grace: as long as any stale allow of theirs may be served. A sign-out everywhere
 * is the viewer's, whichever video's lookup saw it. The entry counts against the cache's bound like
 * any other (the least recently used go first).
 */
export function rememberRevocation(
  cache: EntitlementCache,
  uid: string,
  records: EntitlementRecords,
  nowMs: number,
  config: Pick<AuthorizerConfig, 'cache' | 'staleIfErrorSeconds'>,
): void {
  const { revocation } = records;
  if (revocation === undefined) return;
  const kept = cache.getStale(uid, REVOKED_SK, nowMs)?.revocation;
  if (kept !== undefined && kept.revokedBefore >= revocation.revokedBefore) return;
  cache.set(uid, REVOKED_SK, { revocation }, 0, nowMs, config.cache.allowTtlSeconds + config.staleIfErrorSeconds);
}

import type { AuthorizerConfig } from '../config/authorizer-config';
import type { EntitlementCache } from './entitlement-cache';
import { judgeEntitlement, type Viewer } from './entitlement-decision';
import { REVOKED_SK, type EntitlementRecords } from './entitlement-schema';
import type { RecentRenewals } from '../streams/recent-renewals';

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
  return staleAllow(cache, viewer, videoId, tokenExpiresAt, nowMs) !== undefined;
}

/** What `mayServeStale` judges, with the records and the grant that allow: a limited grant's stream limit still applies. */
export function staleAllow(
  cache: EntitlementCache,
  viewer: Viewer,
  videoId: string,
  tokenExpiresAt: number | undefined,
  nowMs: number,
): { records: EntitlementRecords; via: 'video' | 'all-access' } | undefined {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (tokenExpiresAt === undefined || tokenExpiresAt <= nowSeconds) return undefined;
  const records = cache.getStale(viewer.uid, videoId, nowMs);
  if (records === undefined) return undefined;
  const seen = cache.getStale(viewer.uid, REVOKED_SK, nowMs)?.revocation;
  const newer = seen !== undefined && seen.revokedBefore > (records.revocation?.revokedBefore ?? -Infinity);
  const verdict = judgeEntitlement(newer ? { ...records, revocation: seen } : records, viewer, nowSeconds);
  return verdict.allowed ? { records, via: verdict.via } : undefined;
}

/**
 * Stream limits hold in the degraded mode too. A limited viewer's grace goes only to a playback
 * session whose lease this container wrote (renewed, started or moved) less than a lease period ago,
 * so it knows that lease is still live and holding its stream. A new session, a token without a
 * session id, and a session this container saw ended or refused (which forgets it) get none: the
 * store cannot be asked whether there is room for them.
 */
export function graceKeepsStreamLimit(
  limit: number | undefined,
  session: { uid: string; sessionId: string | undefined; network: string | undefined },
  recentRenewals: RecentRenewals,
  leaseSeconds: number,
  nowMs: number,
): boolean {
  if (limit === undefined) return true;
  if (limit === 0 || session.sessionId === undefined) return false;
  return recentRenewals.renewedWithin(session.uid, session.sessionId, session.network, nowMs, leaseSeconds);
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

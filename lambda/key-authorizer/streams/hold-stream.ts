import type { LeaseStore } from './lease-store';
import type { RecentRenewals } from './recent-renewals';
import { holdsStream, judgeAdmission, keepsStream, leaseExpiry, settleCheckDue, type StreamSettings } from './stream-leases';

export interface PlaybackSession {
  uid: string;
  sessionId: string;
  videoId: string;
  limit: number;
  /** The hashed network the request came from (client-network.ts); undefined: no binding. */
  network?: string;
}

export type StreamOutcome =
  { allowed: true; lease: 'renewed' | 'started' | 'recent' | 'moved' } | { allowed: false; reason: 'stream-limit' | 'session-ended' };

/**
 * Keeps one playback session's stream for another lease period, or refuses it. In steady state
 * one conditional write (the renewal); a session's start costs a failed renewal, one strongly
 * consistent Query of the viewer's leases and a conditional Put; its first renewal after
 * `settleSeconds`, and one every RECHECK_AFTER_LEASES lease periods, cost one more Query and write
 * (the check that, now that replicas agree, it still fits).
 * Store errors propagate: the caller answers 503, never a key.
 */
export async function holdStream(
  store: LeaseStore,
  recent: RecentRenewals,
  session: PlaybackSession,
  settings: StreamSettings,
  nowMs: number,
  /** The request's deadline: every store call of this step ends by it. */
  budget?: AbortSignal,
): Promise<StreamOutcome> {
  const { uid, sessionId, limit } = session;
  // No plan allows a stream: nothing to read or write.
  if (limit === 0) return { allowed: false, reason: 'stream-limit' };
  if (recent.isRecent(uid, sessionId, session.network, nowMs)) return { allowed: true, lease: 'recent' };
  const nowSeconds = Math.floor(nowMs / 1000);
  const expiresAt = leaseExpiry(nowSeconds, settings.leaseSeconds);

  const renewed = await store.renew(uid, sessionId, nowSeconds, expiresAt, session.network, budget);
  if (renewed !== undefined) {
    if (settleCheckDue(renewed, nowSeconds, settings)) {
      // Sessions that started at the same moment in two regions (or two containers) each saw room;
      // now that both leases have replicated, the later-ranked gives its stream back.
      if (!keepsStream(await store.leasesOf(uid, budget), sessionId, limit, nowSeconds)) {
        await store.release(uid, sessionId, nowSeconds, budget);
        recent.forget(uid, sessionId, session.network);
        return { allowed: false, reason: 'stream-limit' };
      }
      await store.markChecked(uid, sessionId, nowSeconds, budget);
    }
    recent.remember(uid, sessionId, session.network, nowMs);
    return { allowed: true, lease: 'renewed' };
  }

  // No live lease here: a new session, one whose lease lapsed (a long pause), one that was ended, or
  // one that plays from another network (a copied token, or a viewer who changed networks).
  const leases = await store.leasesOf(uid, budget);
  const own = leases.find((lease) => lease.sessionId === sessionId);
  if (own !== undefined && session.network !== undefined && holdsStream(own, nowSeconds) && own.network !== session.network) {
    // One move per lease period: a viewer who changed networks moves once; two devices sharing one
    // session id cannot take it back and forth, so all but one are refused within a key window.
    const move = { nowSeconds, expiresAt, from: own.network, to: session.network, movedBefore: nowSeconds - settings.leaseSeconds };
    if (!(await store.move(uid, sessionId, move, budget))) return { allowed: false, reason: 'stream-limit' };
    recent.remember(uid, sessionId, session.network, nowMs);
    return { allowed: true, lease: 'moved' };
  }
  const verdict = judgeAdmission(leases, sessionId, limit, nowSeconds);
  if (!verdict.admitted) return { allowed: false, reason: verdict.reason };
  const lease = {
    uid,
    sessionId,
    videoId: session.videoId,
    startedAt: nowSeconds,
    renewedAt: nowSeconds,
    expiresAt,
    ...(session.network === undefined ? {} : { network: session.network }),
  };
  if (!(await store.start(lease, nowSeconds, budget))) {
    // Another request of this same session started it a moment ago (players fetch keys in parallel).
    if ((await store.renew(uid, sessionId, nowSeconds, expiresAt, session.network, budget)) === undefined) {
      return { allowed: false, reason: 'stream-limit' };
    }
  }
  recent.remember(uid, sessionId, session.network, nowMs);
  return { allowed: true, lease: 'started' };
}

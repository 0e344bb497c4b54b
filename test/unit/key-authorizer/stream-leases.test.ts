import fc from 'fast-check';
import type { LeaseItem } from '../../../lambda/key-authorizer/entitlements/entitlement-schema';
import {
  RECHECK_AFTER_LEASES,
  holdsStream,
  judgeAdmission,
  keepsStream,
  leaseExpiry,
  settleCheckDue,
  streamLimitFor,
} from '../../../lambda/key-authorizer/streams/stream-leases';

const NOW = 1_700_000_000;
const LEASE = 80;

function lease(sessionId: string, fields: Partial<LeaseItem> = {}): LeaseItem {
  return {
    uid: 'alice',
    sessionId,
    videoId: 'movie',
    region: 'eu-west-1',
    startedAt: NOW - 100,
    renewedAt: NOW - 10,
    expiresAt: NOW + 70,
    ...fields,
  };
}

describe('streamLimitFor', () => {
  const grant = (maxStreams?: number) => ({ uid: 'alice', sk: 'x', grantedAt: 0, ...(maxStreams === undefined ? {} : { maxStreams }) });

  it('takes the limit of the grant that allowed the request', () => {
    expect(streamLimitFor({ video: grant(1), allAccess: grant(4) }, 'video', 9)).toBe(1);
    expect(streamLimitFor({ video: grant(1), allAccess: grant(4) }, 'all-access', 9)).toBe(4);
  });

  it('falls back to the config default when that grant names none', () => {
    expect(streamLimitFor({ video: grant(), allAccess: grant(4) }, 'video', 2)).toBe(2);
  });

  it('is no limit when neither the grant nor the config names one', () => {
    expect(streamLimitFor({ allAccess: grant() }, 'all-access', undefined)).toBeUndefined();
  });

  it('keeps a limit of 0 as a limit, not as "none"', () => {
    expect(streamLimitFor({ video: grant(0) }, 'video', 3)).toBe(0);
  });
});

describe('holdsStream', () => {
  it('holds until the second it expires, and not from then on', () => {
    expect(holdsStream(lease('s1', { expiresAt: NOW + 1 }), NOW)).toBe(true);
    expect(holdsStream(lease('s1', { expiresAt: NOW }), NOW)).toBe(false);
  });

  it('never holds once ended, even before it would expire', () => {
    expect(holdsStream(lease('s1', { endedAt: NOW - 1 }), NOW)).toBe(false);
  });
});

describe('judgeAdmission', () => {
  it('refuses every session at limit 0', () => {
    expect(judgeAdmission([], 'new', 0, NOW)).toEqual({ admitted: false, reason: 'stream-limit' });
  });

  it('admits the first session at limit 1 and refuses a second while the first holds its stream', () => {
    expect(judgeAdmission([], 's1', 1, NOW)).toEqual({ admitted: true });
    expect(judgeAdmission([lease('s1')], 's2', 1, NOW)).toEqual({ admitted: false, reason: 'stream-limit' });
  });

  it('admits a second session at limit 2 and refuses a third', () => {
    expect(judgeAdmission([lease('s1')], 's2', 2, NOW)).toEqual({ admitted: true });
    expect(judgeAdmission([lease('s1'), lease('s2')], 's3', 2, NOW)).toEqual({ admitted: false, reason: 'stream-limit' });
  });

  it('does not count expired or ended leases', () => {
    const gone = [lease('s1', { expiresAt: NOW }), lease('s2', { endedAt: NOW - 5 })];
    expect(judgeAdmission(gone, 's3', 1, NOW)).toEqual({ admitted: true });
  });

  it('lets a session whose own lease lapsed start again without counting itself', () => {
    expect(judgeAdmission([lease('s1', { expiresAt: NOW - 1 }), lease('s2')], 's1', 2, NOW)).toEqual({ admitted: true });
  });

  it('never lets an ended session start again, even with room', () => {
    expect(judgeAdmission([lease('s1', { endedAt: NOW - 100 })], 's1', 5, NOW)).toEqual({ admitted: false, reason: 'session-ended' });
  });

  it('admits exactly while fewer than N other sessions hold a stream, for any N', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 30 }), (limit, offsets) => {
        const leases = offsets.map((offset, i) => lease(`session-${i}`, { expiresAt: NOW + offset }));
        const live = offsets.filter((offset) => offset > 0).length;
        expect(judgeAdmission(leases, 'newcomer', limit, NOW).admitted).toBe(live < limit);
      }),
    );
  });
});

describe('keepsStream (the check after replication settled)', () => {
  it('keeps the N earliest starts and gives way for the later ones', () => {
    const leases = [lease('c', { startedAt: NOW - 3 }), lease('a', { startedAt: NOW - 9 }), lease('b', { startedAt: NOW - 5 })];
    expect(keepsStream(leases, 'a', 2, NOW)).toBe(true);
    expect(keepsStream(leases, 'b', 2, NOW)).toBe(true);
    expect(keepsStream(leases, 'c', 2, NOW)).toBe(false);
  });

  it('breaks a tie of start times by session id, the same way everywhere', () => {
    const leases = [lease('zz-session', { startedAt: NOW }), lease('aa-session', { startedAt: NOW })];
    expect(keepsStream(leases, 'aa-session', 1, NOW)).toBe(true);
    expect(keepsStream(leases, 'zz-session', 1, NOW)).toBe(false);
  });

  it('ignores sessions that no longer hold a stream', () => {
    const leases = [lease('old', { startedAt: NOW - 50, expiresAt: NOW - 1 }), lease('new', { startedAt: NOW - 2 })];
    expect(keepsStream(leases, 'new', 1, NOW)).toBe(true);
  });

  it('leaves exactly min(N, sessions) sessions their streams when any number started at once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.string({ minLength: 8, maxLength: 12 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
        (limit, ids, starts) => {
          const leases = ids.map((id, i) => lease(id, { startedAt: NOW - starts[i] }));
          const kept = ids.filter((id) => keepsStream(leases, id, limit, NOW));
          expect(kept).toHaveLength(Math.min(limit, ids.length));
        },
      ),
    );
  });
});

describe('lease arithmetic under renewal and clock skew between replicas', () => {
  it('renews to now + lease', () => {
    expect(leaseExpiry(NOW, LEASE)).toBe(NOW + LEASE);
  });

  it('makes the settle check due on the first renewal settleSeconds after the start, then every RECHECK_AFTER_LEASES leases', () => {
    const settings = { leaseSeconds: LEASE, settleSeconds: 3 };
    expect(settleCheckDue(lease('s', { startedAt: NOW - 2 }), NOW, settings)).toBe(false);
    expect(settleCheckDue(lease('s', { startedAt: NOW - 3 }), NOW, settings)).toBe(true);
    const recheck = RECHECK_AFTER_LEASES * LEASE;
    expect(settleCheckDue(lease('s', { startedAt: NOW - 900, checkedAt: NOW - recheck + 1 }), NOW, settings)).toBe(false);
    expect(settleCheckDue(lease('s', { startedAt: NOW - 900, checkedAt: NOW - recheck }), NOW, settings)).toBe(true);
  });

  // A session renewed every `interval` seconds by edge functions in one region, judged by a replica
  // whose clock is `skew` seconds ahead: it must hold its stream at every moment in between as long
  // as interval + skew < lease, and no longer than lease - skew after its last renewal.
  it('a session renewed within lease - skew never looks lapsed to a replica whose clock runs skew ahead', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 600 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 20 }),
        (leaseSeconds, skew, interval, renewals) => {
          fc.pre(interval + skew < leaseSeconds);
          let held = lease('s', { expiresAt: leaseExpiry(NOW, leaseSeconds) });
          for (let r = 1; r <= renewals; r++) {
            const renewedAt = NOW + r * interval;
            // Just before the renewal, as the skewed replica sees it.
            expect(holdsStream(held, renewedAt - 1 + skew)).toBe(true);
            held = { ...held, expiresAt: leaseExpiry(renewedAt, leaseSeconds), renewedAt };
          }
          const last = held.renewedAt;
          expect(holdsStream(held, last + leaseSeconds - skew)).toBe(skew > 0);
          expect(holdsStream(held, last + leaseSeconds)).toBe(false);
        },
      ),
    );
  });

  it('ranks the same sessions the same way whatever clock reads them (ranking uses stored start times)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 8, maxLength: 10 }), { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: -5, max: 5 }),
        (ids, limit, skew) => {
          const leases = ids.map((id, i) => lease(id, { startedAt: NOW - (i % 3), expiresAt: NOW + LEASE }));
          const here = ids.filter((id) => keepsStream(leases, id, limit, NOW));
          const there = ids.filter((id) => keepsStream(leases, id, limit, NOW + skew));
          expect(there).toEqual(here);
        },
      ),
    );
  });
});

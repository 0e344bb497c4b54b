import { planImport } from '../../../lib/admin/grant-import';

const NOW = 1_800_000_000;

describe('planImport', () => {
  it('lets a later row for the same viewer and video win, and counts the superseded one', () => {
    const plan = planImport('uid,videoId,until,orderId\nalice,movie,,a\nalice,movie,48h,b\n', NOW);
    expect(plan.items).toEqual([
      { uid: 'alice', sk: 'movie', grantedAt: NOW, expiresAt: NOW + 172_800, ttl: NOW + 172_800 + 86_400, orderId: 'b' },
    ]);
    expect(plan.superseded).toBe(1);
  });

  it('reads until as an ISO time or a duration, and empty as a purchase', () => {
    const plan = planImport('uid,videoId,until\na,m,2030-01-01T00:00:00Z\nb,m,1h\nc,m,\n', NOW);
    expect(plan.items.map((i) => i.expiresAt)).toEqual([Date.parse('2030-01-01T00:00:00Z') / 1000, NOW + 3600, undefined]);
  });

  it('rejects malformed rows with their line numbers and keeps the good ones', () => {
    const plan = planImport('uid,videoId,until\ngood,m,\n,m,\nbad,m,yesterday\n', NOW);
    expect(plan.items.map((i) => i.uid)).toEqual(['good']);
    expect(plan.rejected.map((r) => r.line)).toEqual([3, 4]);
  });
});

import { toLogRecord, type DecisionLogEntry } from '../../../lambda/key-authorizer/decision-log';

const NOW = 1_764_000_000_000;
const entry = (overrides: Partial<DecisionLogEntry> = {}): DecisionLogEntry => ({
  decision: 'allow',
  reason: 'entitled',
  status: 200,
  videoId: 'movie',
  viewer: 'hashed-viewer',
  credential: 'bearer',
  cache: 'miss',
  replica: 'eu-west-1',
  storeMs: 12,
  ms: 14,
  ...overrides,
});
type Emf = { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] };
const emf = (record: Record<string, unknown>) => (record._aws as { CloudWatchMetrics: Emf[] }).CloudWatchMetrics[0];

describe('the decision log line in Embedded Metric Format', () => {
  it('counts a decision by outcome and reason, with the cache hit and the store latency of a miss', () => {
    const record = toLogRecord(entry(), NOW);
    expect(record).toMatchObject({
      keygate: 'decision',
      decision: 'allow',
      reason: 'entitled',
      Decisions: 1,
      CacheHits: 0,
      StoreLatency: 12,
    });
    expect(record._aws).toMatchObject({ Timestamp: NOW });
    expect(emf(record)).toEqual({
      Namespace: 'Keygate',
      Dimensions: [['decision', 'reason'], ['replica']],
      Metrics: [
        { Name: 'Decisions', Unit: 'Count' },
        { Name: 'CacheHits', Unit: 'Count' },
        { Name: 'StoreLatency', Unit: 'Milliseconds' },
      ],
    });
  });

  it('counts a cache hit as 1 and reports no store latency or replica when no lookup was made', () => {
    const record = toLogRecord(entry({ cache: 'hit', replica: undefined, storeMs: undefined }), NOW);
    expect(record).toMatchObject({ Decisions: 1, CacheHits: 1 });
    expect(record.StoreLatency).toBeUndefined();
    expect(emf(record).Dimensions).toEqual([['decision', 'reason']]);
    expect(emf(record).Metrics.map((m) => m.Name)).toEqual(['Decisions', 'CacheHits']);
  });

  it('counts a request refused before any lookup with the decision metric alone', () => {
    const record = toLogRecord(
      entry({ decision: 'deny', reason: 'not-found', status: 404, cache: 'none', replica: undefined, storeMs: undefined }),
      NOW,
    );
    expect(emf(record).Metrics.map((m) => m.Name)).toEqual(['Decisions']);
    expect(record.CacheHits).toBeUndefined();
  });

  it('counts a JWKS fetch once, by the request that made it, and a failed one as a failure', () => {
    const made = toLogRecord(entry({ jwksFetch: 'failed', jwksFetchMs: 400 }), NOW);
    expect(made).toMatchObject({ jwksFetch: 'failed', jwksFetchMs: 400, JwksFetches: 1, JwksFetchFailures: 1 });
    expect(emf(made).Metrics.map((m) => m.Name)).toEqual(expect.arrayContaining(['JwksFetches', 'JwksFetchFailures']));
    const joined = toLogRecord(entry({ jwksFetch: 'joined', jwksFetchMs: 380 }), NOW);
    expect([joined.JwksFetches, emf(joined).Metrics.map((m) => m.Name)]).toEqual([undefined, ['Decisions', 'CacheHits', 'StoreLatency']]);
  });

  it('counts a key served from an expired allow while the store was down as a stale allow', () => {
    const stale = toLogRecord(entry({ reason: 'stale-allow', storeCause: 'unavailable', replica: undefined }), NOW);
    expect(stale).toMatchObject({ decision: 'allow', reason: 'stale-allow', Decisions: 1, StaleAllows: 1 });
    expect(emf(stale).Metrics.map((m) => m.Name)).toContain('StaleAllows');
    const fresh = toLogRecord(entry(), NOW);
    expect([fresh.StaleAllows, emf(fresh).Metrics.map((m) => m.Name)]).toEqual([undefined, ['Decisions', 'CacheHits', 'StoreLatency']]);
  });

  it('never makes a viewer, a video or a credential a dimension', () => {
    for (const e of [entry(), entry({ cache: 'hit' }), entry({ decision: 'deny', reason: 'store-unavailable', status: 503 })]) {
      const names = emf(toLogRecord(e, NOW)).Dimensions.flat();
      expect(names.every((n) => ['decision', 'reason', 'replica'].includes(n))).toBe(true);
    }
  });
  it('gives every key judgment a dimensionless StoreUnavailable of 100 or 0, whose Average is the 503 rate', () => {
    const rate = (record: Record<string, unknown>) => (record._aws as { CloudWatchMetrics: Emf[] }).CloudWatchMetrics[1];
    const unavailable = toLogRecord(entry({ decision: 'deny', reason: 'store-unavailable', status: 503, replica: undefined }), NOW);
    expect(unavailable.StoreUnavailable).toBe(100);
    expect(rate(unavailable)).toEqual({ Namespace: 'Keygate', Dimensions: [[]], Metrics: [{ Name: 'StoreUnavailable', Unit: 'Percent' }] });
    for (const judged of [entry(), entry({ decision: 'deny', reason: 'not-entitled', status: 403 }), entry({ reason: 'stale-allow' })]) {
      expect(toLogRecord(judged, NOW).StoreUnavailable).toBe(0);
    }
    for (const reason of ['not-found', 'method-not-allowed', 'origin-not-allowed', 'preflight']) {
      const record = toLogRecord(entry({ reason, cache: 'none', replica: undefined, storeMs: undefined }), NOW);
      expect([record.StoreUnavailable, rate(record)]).toEqual([undefined, undefined]);
    }
  });

  it('counts a request whose deadline ran out in the StoreUnavailable rate, like any store that did not answer', () => {
    const record = toLogRecord(entry({ decision: 'deny', reason: 'request-deadline', status: 503, replica: undefined }), NOW);
    expect(record.StoreUnavailable).toBe(100);
  });
});

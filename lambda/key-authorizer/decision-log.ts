import { createHash } from 'node:crypto';

export interface DecisionLogEntry {
  decision: 'allow' | 'deny';
  reason: string;
  status: number;
  videoId?: string;
  /** Salted hash of the viewer id: joins a viewer's lines without exposing who they are. */
  viewer?: string;
  credential?: string;
  cache: 'hit' | 'miss' | 'none';
  replica?: string;
  /**
   * Why a 503 was given: `unavailable` when no replica answered (retrying may help), `malformed-item`
   * when one answered with an item the schema refuses (fix the item: every replica holds it).
   */
  storeCause?: 'unavailable' | 'malformed-item';
  /** Per failed replica attempt `region:ErrorName: message`, or the malformed item and attribute. */
  storeErrors?: string[];
  /** Milliseconds the entitlement lookup took, when one was made (a cache miss). */
  storeMs?: number;
  /** When the token's kid sent us to its issuer's JWKS URL: what that did, and how long this request waited. */
  jwksFetch?: 'fetched' | 'failed' | 'joined' | 'cooldown';
  jwksFetchMs?: number;
  /** Keys of a fetched JWKS that were left out, and why (on the line of the request that made the fetch). */
  jwksSkippedKeys?: string[];
  /** Stream limits: what happened to the session's lease (absent for a viewer without a limit). */
  lease?: 'renewed' | 'started' | 'recent' | 'moved' | 'refused';
  ms: number;
}

/** The reason of a key served from an expired allow while every replica failed (the degraded mode). */
export const STALE_ALLOW = 'stale-allow';

/** The CloudWatch namespace of the metrics every decision line carries. */
export const METRICS_NAMESPACE = 'Keygate';

/** The metrics a decision line carries: the one spelling the dashboard and the alarms read. */
export const METRIC_NAMES = {
  decisions: 'Decisions',
  cacheHits: 'CacheHits',
  storeLatency: 'StoreLatency',
  jwksFetches: 'JwksFetches',
  jwksFetchFailures: 'JwksFetchFailures',
  staleAllows: 'StaleAllows',
  storeUnavailable: 'StoreUnavailable',
} as const;
const M = METRIC_NAMES;

/** Lines that judge no key request (nothing was looked up, nothing could fail): outside the store-unavailable rate. */
const NOT_KEY_JUDGMENTS = new Set(['not-found', 'method-not-allowed', 'origin-not-allowed', 'preflight']);

/** The 503s of a store that did not answer in time, counted in the StoreUnavailable rate. */
const STORE_UNAVAILABLE_REASONS = new Set(['store-unavailable', 'request-deadline']);

/**
 * The decision line as CloudWatch Embedded Metric Format: CloudWatch Logs turns it into metrics in
 * the edge region that served the viewer, with no extra call on the hot path. Dimensions stay
 * low-cardinality (decision, reason, replica region): never a viewer or a video.
 */
export function toLogRecord(entry: DecisionLogEntry, nowMs: number): Record<string, unknown> {
  // Counted once per fetch made, by the request that made it (not by those that joined it).
  const fetched = entry.jwksFetch === 'fetched' || entry.jwksFetch === 'failed';
  const metrics = [
    { Name: M.decisions, Unit: 'Count' },
    ...(entry.cache === 'none' ? [] : [{ Name: M.cacheHits, Unit: 'Count' }]),
    ...(entry.storeMs === undefined ? [] : [{ Name: M.storeLatency, Unit: 'Milliseconds' }]),
    ...(fetched
      ? [
          { Name: M.jwksFetches, Unit: 'Count' },
          { Name: M.jwksFetchFailures, Unit: 'Count' },
        ]
      : []),
    ...(entry.reason === STALE_ALLOW ? [{ Name: M.staleAllows, Unit: 'Count' }] : []),
  ];
  const judged = !NOT_KEY_JUDGMENTS.has(entry.reason);
  const dimensions = [['decision', 'reason'], ...(entry.replica === undefined ? [] : [['replica']])];
  return {
    keygate: 'decision',
    ...entry,
    [M.decisions]: 1,
    ...(entry.cache === 'none' ? {} : { [M.cacheHits]: entry.cache === 'hit' ? 1 : 0 }),
    ...(entry.storeMs === undefined ? {} : { [M.storeLatency]: entry.storeMs }),
    ...(fetched ? { [M.jwksFetches]: 1, [M.jwksFetchFailures]: entry.jwksFetch === 'failed' ? 1 : 0 } : {}),
    ...(entry.reason === STALE_ALLOW ? { [M.staleAllows]: 1 } : {}),
    // 100 or 0 on every key judgment, without dimensions: its Average is the store-unavailable rate in percent, one
    // metric for an alarm however many reasons there are (an alarm reads at most ten metrics and no SEARCH).
    ...(judged ? { [M.storeUnavailable]: STORE_UNAVAILABLE_REASONS.has(entry.reason) ? 100 : 0 } : {}),
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: metrics },
        ...(judged ? [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: M.storeUnavailable, Unit: 'Percent' }] }] : []),
      ],
    },
  };
}

export function hashViewerId(uid: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(uid).digest('base64url').slice(0, 22);
}

export type DecisionLogger = (entry: DecisionLogEntry) => void;

/** One JSON line per request on stdout (CloudWatch Logs in the executing edge region). */
export const jsonLineLogger: DecisionLogger = (entry) => {
  process.stdout.write(`${JSON.stringify(toLogRecord(entry, Date.now()))}\n`);
};

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
    { Name: 'Decisions', Unit: 'Count' },
    ...(entry.cache === 'none' ? [] : [{ Name: 'CacheHits', Unit: 'Count' }]),
    ...(entry.storeMs === undefined ? [] : [{ Name: 'StoreLatency', Unit: 'Milliseconds' }]),
    ...(fetched
      ? [
          { Name: 'JwksFetches', Unit: 'Count' },
          { Name: 'JwksFetchFailures', Unit: 'Count' },
        ]
      : []),
    ...(entry.reason === STALE_ALLOW ? [{ Name: 'StaleAllows', Unit: 'Count' }] : []),
  ];
  const judged = !NOT_KEY_JUDGMENTS.has(entry.reason);
  const dimensions = [['decision', 'reason'], ...(entry.replica === undefined ? [] : [['replica']])];
  return {
    keygate: 'decision',
    ...entry,
    Decisions: 1,
    ...(entry.cache === 'none' ? {} : { CacheHits: entry.cache === 'hit' ? 1 : 0 }),
    ...(entry.storeMs === undefined ? {} : { StoreLatency: entry.storeMs }),
    ...(fetched ? { JwksFetches: 1, JwksFetchFailures: entry.jwksFetch === 'failed' ? 1 : 0 } : {}),
    ...(entry.reason === STALE_ALLOW ? { StaleAllows: 1 } : {}),
    // 100 or 0 on every key judgment, without dimensions: its Average is the store-unavailable rate in percent, one
    // metric for an alarm however many reasons there are (an alarm reads at most ten metrics and no SEARCH).
    ...(judged ? { StoreUnavailable: STORE_UNAVAILABLE_REASONS.has(entry.reason) ? 100 : 0 } : {}),
    _aws: {
      Timestamp: nowMs,
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: metrics },
        ...(judged ? [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'StoreUnavailable', Unit: 'Percent' }] }] : []),
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

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
  /** Stream limits: what happened to the session's lease (absent for a viewer without a limit). */
  lease?: 'renewed' | 'started' | 'recent' | 'moved' | 'refused';
  ms: number;
}

/** The CloudWatch namespace of the metrics every decision line carries. */
export const METRICS_NAMESPACE = 'Keygate';

/**
 * The decision line as CloudWatch Embedded Metric Format: CloudWatch Logs turns it into metrics in
 * the edge region that served the viewer, with no extra call on the hot path. Dimensions stay
 * low-cardinality (decision, reason, replica region): never a viewer or a video.
 */
export function toLogRecord(entry: DecisionLogEntry, nowMs: number): Record<string, unknown> {
  const metrics = [
    { Name: 'Decisions', Unit: 'Count' },
    ...(entry.cache === 'none' ? [] : [{ Name: 'CacheHits', Unit: 'Count' }]),
    ...(entry.storeMs === undefined ? [] : [{ Name: 'StoreLatency', Unit: 'Milliseconds' }]),
  ];
  const dimensions = [['decision', 'reason'], ...(entry.replica === undefined ? [] : [['replica']])];
  return {
    keygate: 'decision',
    ...entry,
    Decisions: 1,
    ...(entry.cache === 'none' ? {} : { CacheHits: entry.cache === 'hit' ? 1 : 0 }),
    ...(entry.storeMs === undefined ? {} : { StoreLatency: entry.storeMs }),
    _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: dimensions, Metrics: metrics }] },
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

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
  ms: number;
}

export function hashViewerId(uid: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(uid).digest('base64url').slice(0, 22);
}

export type DecisionLogger = (entry: DecisionLogEntry) => void;

/** One JSON line per request on stdout (CloudWatch Logs in the executing edge region). */
export const jsonLineLogger: DecisionLogger = (entry) => {
  process.stdout.write(`${JSON.stringify({ keygate: 'decision', ...entry })}\n`);
};

export const LATENCY_CASES = ['hit-cookie', 'hit-jwt', 'miss-jwt', 'seed'] as const;
export type LatencyCase = (typeof LATENCY_CASES)[number];

export const LATENCY_LABELS: Record<LatencyCase, string> = {
  'hit-cookie': 'Keygate, warm-cache hit (uid cookie: nothing to verify)',
  'hit-jwt': 'Keygate, JWT (ES256, verified moments before: memo) + cache hit',
  'miss-jwt': 'Keygate, JWT + cache miss (BatchGetItem to dynalite)',
  seed: 'seed handler (GetItem to dynalite, every request)',
};

export interface LatencyInput {
  workDir: string;
  endpoint: string;
  signingKeyPem: string;
  keyUri: string;
  /** Granted viewers: the first is the warm one, the rest are each a miss once. */
  viewers: string[];
  requestsPerCase: number;
  rounds: number;
}

export interface LatencyResult {
  n: number;
  p50Us: number;
  p99Us: number;
  /** Requests that were not passed on (a denial or an error): must be 0. */
  unexpected: number;
}

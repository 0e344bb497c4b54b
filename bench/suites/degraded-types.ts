import type { StoreFault } from '../../lib/dev/store-fault-proxy';

export interface DegradedInput {
  workDir: string;
  endpoint: string;
  signingKeyPem: string;
  keyUri: string;
  /** Granted viewers: the first half is allowed before the outage, the second half never asked before it. */
  viewers: string[];
  faults: Exclude<StoreFault, 'pass'>[];
  graces: number[];
  /** How many viewers on a plan of one stream each run has (stream limits through the outage). */
  limitedViewers: number;
}

/** One fault at one grace: what the viewers allowed moments ago, and the others, got during it. */
export interface DegradedRow {
  fault: Exclude<StoreFault, 'pass'>;
  graceSeconds: number;
  recentViewers: number;
  /** Keys served to recently allowed viewers (stale allows): all of them with a grace, none without. */
  recentServed: number;
  /** Milliseconds a recently allowed viewer waited for its answer: the store is tried first. */
  recentP50Ms: number;
  recentP99Ms: number;
  otherViewers: number;
  /** Keys served to viewers this container never allowed: must be 0. */
  otherServed: number;
  /** Answers 503 `store-unavailable` with Retry-After, among the unlimited viewers' requests of the outage. */
  unavailableWithRetryAfter: number;
  /** Viewers on a plan of one stream, each with a session playing before the outage. */
  limitedViewers: number;
  /** Their playing sessions served during it: all of them with a grace (this container renewed their leases), none without. */
  limitedPlayingServed: number;
  /** Their other requests during it (the second session refused before, a token without psid, a new session). */
  limitedOthersAsked: number;
  /** Keys served to those: must be 0, or the grace would lift the stream limit. */
  limitedOthersServed: number;
}

/** How a live packager keeps trying a store that fails: exponential backoff, capped, until it works or is stopped. */
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 250, maxDelayMs: 8000 };

/** The delay before attempt `failures + 1`: doubling from the first delay, never above the cap. */
export const backoffDelay = (policy: RetryPolicy, failures: number): number =>
  Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, failures - 1));

/** Thrown when a retry loop is stopped before its operation succeeded. */
export class RetryStopped extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: stopped while retrying (last error: ${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'RetryStopped';
  }
}

/**
 * Runs `operation` until it resolves. A live channel cannot skip a segment or a key it has already
 * announced, so a failing store is retried with backoff rather than given up on; `onRetry` hears every
 * failure, and `signal` ends the loop (Ctrl-C twice) with RetryStopped.
 */
export async function retryUntilDone<T>(
  what: string,
  operation: () => Promise<T>,
  deps: { sleep: (ms: number) => Promise<void>; policy?: RetryPolicy; signal?: AbortSignal; onRetry?: (error: unknown) => void },
): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await operation();
    } catch (error) {
      if (deps.signal?.aborted) throw new RetryStopped(what, error);
      deps.onRetry?.(error);
      await deps.sleep(backoffDelay(deps.policy ?? DEFAULT_RETRY, failures));
    }
  }
}

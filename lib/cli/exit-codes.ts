/**
 * The exit codes of every keygate command, in one place so they stay the same everywhere (README,
 * "The keygate CLI"): 0 done; 1 failed, nothing (or only what the message says) done; 2 ran and found
 * problems it reports (rows rejected, checks failed).
 */
export const EXIT_CODES = { done: 0, failed: 1, problemsFound: 2 } as const;

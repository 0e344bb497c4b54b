/** Order statistics and ratios: the machines are noisy, so every comparison reports medians. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values: number[]) => percentile(values, 50);

export const ratio = (a: number, b: number) => (b === 0 ? NaN : a / b);

/** Rounds for tables: 3 significant digits, whole numbers as they are. */
export function round(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value) || 1)));
  return Number(value.toFixed(Math.min(digits, 6)));
}

/**
 * Runs each variant `rounds` times in rotation (A B C, B C A, …), so drift in the machine's speed
 * falls on every variant alike instead of on whichever ran last.
 */
export async function interleaved<K extends string, T>(
  variants: readonly K[],
  rounds: number,
  run: (variant: K, round: number) => Promise<T>,
): Promise<Record<K, T[]>> {
  const results = Object.fromEntries(variants.map((v) => [v, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length];
      results[variant].push(await run(variant, round));
    }
  }
  return results;
}

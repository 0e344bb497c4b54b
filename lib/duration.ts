const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration like "90s", "10m", "48h", "7d" (a bare number is seconds); undefined if malformed. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : undefined;
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2] || 's'] : undefined;
}

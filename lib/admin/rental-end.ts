import { parseDuration } from '../duration';
import { InvalidGrantError } from './entitlement-items';

/** The end of a rental, in epoch seconds, from an end time (`until`, ISO) or a length (`for`); undefined for a purchase. */
export function rentalEnd(options: { until?: string; for?: string }, nowSeconds: number): number | undefined {
  if (options.until !== undefined && options.for !== undefined)
    throw new InvalidGrantError('a rental has an end time or a length, not both', 'until');
  if (options.for !== undefined) {
    // A unit is required: a bare `48` read as seconds made a rental that ended before anyone noticed.
    const seconds = /^\d+[smhd]$/.test(options.for.trim()) ? parseDuration(options.for) : undefined;
    if (!seconds)
      throw new InvalidGrantError(`${JSON.stringify(options.for)} must be a duration with its unit, like 30m, 48h or 7d`, 'for');
    return Math.floor(nowSeconds) + seconds;
  }
  if (options.until !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}/.test(options.until) ? Date.parse(options.until) : NaN;
    if (Number.isNaN(ms))
      throw new InvalidGrantError(`${JSON.stringify(options.until)} must be an ISO time like 2026-12-31T23:59:59Z`, 'until');
    return Math.floor(ms / 1000);
  }
  return undefined;
}

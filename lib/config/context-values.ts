import type { Range } from '../../lambda/key-authorizer/contract';
import { parseDuration } from '../duration';
import { KeygateError } from '../keygate-error';

/**
 * Readers for cdk.json context values. A value may come from cdk.json (typed JSON) or from
 * `-c key=value` on the command line (always a string), so each reader accepts both forms.
 */
export class InvalidConfigError extends KeygateError {
  constructor(key: string, expected: string, got?: unknown) {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
    super(`cdk.json context "${key}" must be ${expected} (got ${shown}). Fix it in cdk.json or pass -c ${key}=…`, key);
  }
}

export type Context = Record<string, unknown>;

export function readString(context: Context, key: string, pattern: RegExp, expected: string, fallback?: string): string {
  const value = context[key] ?? fallback;
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidConfigError(key, expected, value);
  return value;
}

export function readOptionalString(context: Context, key: string, pattern: RegExp, expected: string): string | undefined {
  return context[key] === undefined || context[key] === '' ? undefined : readString(context, key, pattern, expected);
}

export function readBoolean(context: Context, key: string, fallback: boolean): boolean {
  const value = context[key] ?? fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InvalidConfigError(key, 'true or false', value);
}

/** `unit` follows the range in the error, e.g. what the number counts and what a large one risks. */
export function readInteger(context: Context, key: string, min: number, max: number, fallback: number, unit?: string): number {
  const raw = context[key] ?? fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(key, `a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}`, raw);
  }
  return value;
}

/** A list: a JSON array in cdk.json, or a comma-separated string (or JSON array) from -c. */
export function readList(context: Context, key: string, pattern: RegExp, expected: string, fallback: string[] = []): string[] {
  let value: unknown = context[key] ?? fallback;
  if (typeof value === 'string') {
    value = value.trim().startsWith('[')
      ? safeJson(value, key)
      : value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !pattern.test(v))) {
    throw new InvalidConfigError(key, `a list of ${expected}`, context[key]);
  }
  return value as string[];
}

export function safeJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidConfigError(key, 'valid JSON', text);
  }
}

/** Seconds from a number of seconds or a duration like "90s", "10m", "24h", "7d". */
export function readDurationSeconds(context: Context, key: string, min: number, max: number, fallback: string): number {
  const raw = context[key] ?? fallback;
  const seconds = typeof raw === 'number' || typeof raw === 'string' ? parseDuration(raw) : undefined;
  if (seconds === undefined || seconds < min || seconds > max)
    throw new InvalidConfigError(key, `a duration from ${min}s to ${max}s, like "30m" or "24h"`, raw);
  return seconds;
}

/** readInteger within one of the limits shared with the baked config's load-time check. */
export function readIntegerIn(context: Context, key: string, range: Range, fallback: number, unit?: string): number {
  return readInteger(context, key, range.min, range.max, fallback, unit);
}

/** readDurationSeconds within one of the limits shared with the baked config's load-time check. */
export function readDurationIn(context: Context, key: string, range: Range, fallback: string): number {
  return readDurationSeconds(context, key, range.min, range.max, fallback);
}

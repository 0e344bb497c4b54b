import { describeRange, isInRange, type Range } from './config-limits';

/** Typed readers for the baked config: each error names the field and what it must be. */
export class InvalidAuthorizerConfigError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`authorizer config: ${field} must be ${expected}`);
    this.name = 'InvalidAuthorizerConfigError';
  }

  /** The message without its prefix: `<field> must be <expected>`. */
  get problem(): string {
    return `${this.field} must be ${this.expected}`;
  }
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function string(obj: Json, field: string, path: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.length === 0) throw new InvalidAuthorizerConfigError(path, 'a non-empty string');
  return value;
}

export function stringArray(obj: Json, field: string, path: string, allowEmpty = false): string[] {
  const value = obj[field];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0) || (!allowEmpty && value.length === 0)) {
    throw new InvalidAuthorizerConfigError(path, allowEmpty ? 'an array of strings' : 'a non-empty array of strings');
  }
  return value as string[];
}

export function positiveInt(obj: Json, field: string, path: string, allowZero = false): number {
  const value = obj[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new InvalidAuthorizerConfigError(path, allowZero ? 'a whole number ≥ 0' : 'a whole number ≥ 1');
  }
  return value;
}

/** A whole number within one of the shared limits (config-limits.ts). */
export function integerIn(obj: Json, field: string, path: string, range: Range): number {
  const value = obj[field];
  if (!isInRange(value, range)) throw new InvalidAuthorizerConfigError(path, describeRange(range));
  return value;
}

/** A string matching one of the shared patterns; `expected` says what it is, for the message. */
export function matching(obj: Json, field: string, path: string, pattern: RegExp, expected: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidAuthorizerConfigError(path, `${expected} (${pattern})`);
  return value;
}

/** An array of strings, each matching `pattern`. */
export function matchingArray(obj: Json, field: string, path: string, pattern: RegExp, expected: string, allowEmpty = false): string[] {
  const values = stringArray(obj, field, path, allowEmpty);
  const bad = values.findIndex((v) => !pattern.test(v));
  if (bad >= 0) throw new InvalidAuthorizerConfigError(`${path}[${bad}]`, `${expected} (${pattern})`);
  return values;
}

/** Refuses fields this object does not have: a misspelt optional field (`uidPrefx`) would otherwise do nothing. */
export function onlyKnownFields(obj: Json, known: readonly string[], path: string): void {
  const unknown = Object.keys(obj).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new InvalidAuthorizerConfigError(`${path}.${unknown}`, `absent (known fields: ${known.join(', ')})`);
}

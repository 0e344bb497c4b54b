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

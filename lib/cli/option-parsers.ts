import { Option } from 'commander';
import { KeygateError } from '../keygate-error';

/** What a whole-number flag accepts: its bounds, and what the number counts ("a port number", "a whole number of seconds"). */
export interface WholeNumberRange {
  min: number;
  max?: number;
  noun?: string;
}

const describeRange = ({ min, max, noun = 'a whole number' }: WholeNumberRange) =>
  max === undefined ? `${noun} ≥ ${min}` : `${noun} from ${min} to ${max}`;

/**
 * The value of a whole-number flag, or a KeygateError naming the flag, what it accepts and what it
 * got. Digits only: `1e3`, `0x10`, ` 8` and `8.0` are refused rather than read as something else.
 */
export function parseWholeNumber(value: string, flag: string, range: WholeNumberRange): number {
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (number >= range.min && (range.max === undefined || number <= range.max)) return number;
  throw new KeygateError(`${flag} must be ${describeRange(range)} (got ${value})`);
}

/**
 * A commander option whose value is parsed by parseWholeNumber as commander reads it, so every
 * command's numeric flags fail the same way, before the command does anything. The default, if
 * given, is a number (commander does not parse defaults).
 */
export function wholeNumberOption(flags: string, description: string, range: WholeNumberRange, defaultValue?: number): Option {
  const option = new Option(flags, description);
  option.argParser((value: string) => parseWholeNumber(value, option.long ?? flags, range));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** A TCP port flag: 0 (any free port) to 65535. */
export const portOption = (flags: string, description: string, defaultValue?: number): Option =>
  wholeNumberOption(flags, description, { min: 0, max: 65535, noun: 'a port number' }, defaultValue);

import { KeygateError } from '../keygate-error';

/**
 * What a channel must remember across restarts of its packager: the first key period and media
 * sequence number it has not used yet. Written before a period's key is asked for (write-ahead), so
 * a crash can skip numbers but never reuse one: a key URI never names two keys, a segment name never
 * two segments.
 */
export interface ChannelState {
  nextPeriod: number;
  nextSequence: number;
  /** Restarts so far: each one is a discontinuity for a player that follows the channel across it. */
  discontinuitySequence: number;
}

export const FRESH_CHANNEL: ChannelState = { nextPeriod: 0, nextSequence: 0, discontinuitySequence: 0 };

/** A stored state that cannot be read. Guessing would risk reusing a key name: stop instead. */
export class ChannelStateError extends KeygateError {}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

export function parseChannelState(text: string, where: string): ChannelState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ChannelStateError(`${where} is not JSON: fix or restore it (it says which key periods this channel has used)`);
  }
  const state = value as Partial<ChannelState>;
  if (!isCount(state.nextPeriod) || !isCount(state.nextSequence) || !isCount(state.discontinuitySequence))
    throw new ChannelStateError(
      `${where} must hold whole numbers nextPeriod, nextSequence and discontinuitySequence: fix or restore it (it says which key periods this channel has used)`,
    );
  return { nextPeriod: state.nextPeriod, nextSequence: state.nextSequence, discontinuitySequence: state.discontinuitySequence };
}

export const serializeChannelState = (state: ChannelState) => `${JSON.stringify(state)}\n`;

/** The start of every line the authorizer's decision log writes (CloudWatch EMF JSON). */
const DECISION_LINE_START = '{"keygate":"decision"';

export const isDecisionLine = (chunk: unknown): boolean =>
  (typeof chunk === 'string' || chunk instanceof Uint8Array) &&
  Buffer.from(chunk).subarray(0, 32).toString().startsWith(DECISION_LINE_START);

/**
 * Keeps the authorizer's per-key-request JSON line (about 550 bytes) off a terminal: `keygate dev`
 * runs the built bundle in its own process, where that line goes to stdout as it would go to
 * CloudWatch. Every other write passes. Returns the function that restores the stream.
 */
export function muteDecisionLines(stream: NodeJS.WritableStream): () => void {
  const original = stream.write;
  const write = function (this: NodeJS.WritableStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (!isDecisionLine(chunk)) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  };
  stream.write = write as NodeJS.WritableStream['write'];
  return () => {
    stream.write = original;
  };
}

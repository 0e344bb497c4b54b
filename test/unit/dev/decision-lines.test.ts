import { PassThrough } from 'node:stream';
import { muteDecisionLines } from '../../../lib/dev/decision-lines';
import { toLogRecord } from '../../../lambda/key-authorizer/decision-log';

const decisionLine = () =>
  `${JSON.stringify(toLogRecord({ decision: 'allow', reason: 'entitled', status: 200, cache: 'miss', ms: 1 }, 0))}\n`;

function capture() {
  const stream = new PassThrough();
  const written: string[] = [];
  stream.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  return { stream, written };
}

describe("keygate dev keeps the authorizer's decision lines off the terminal", () => {
  it('drops the JSON decision line the bundle writes, as a string or as bytes', async () => {
    const { stream, written } = capture();
    muteDecisionLines(stream);
    expect(stream.write(decisionLine())).toBe(true);
    stream.write(Buffer.from(decisionLine()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([]);
  });

  it('passes every other line, and calls a dropped write’s callback', async () => {
    const { stream, written } = capture();
    muteDecisionLines(stream);
    stream.write('Keygate is running at http://127.0.0.1:8080/\n');
    stream.write('{"url":"http://127.0.0.1:8080/"}\n');
    const called = await new Promise((resolve) => stream.write(decisionLine(), () => resolve(true)));
    expect(called).toBe(true);
    expect(written.join('')).toBe('Keygate is running at http://127.0.0.1:8080/\n{"url":"http://127.0.0.1:8080/"}\n');
  });

  it('restores the stream: with --verbose nothing is muted', async () => {
    const { stream, written } = capture();
    muteDecisionLines(stream)();
    stream.write(decisionLine());
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([decisionLine()]);
  });
});

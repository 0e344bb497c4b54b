import { Command } from 'commander';
import { parseWholeNumber, portOption, wholeNumberOption } from '../../../lib/cli/option-parsers';
import { KeygateError } from '../../../lib/keygate-error';

/** Parses argv with one command holding the given options; gives its options, or throws what commander's parse throws. */
function parse(argv: string[], ...options: ReturnType<typeof wholeNumberOption>[]): Record<string, unknown> {
  const program = new Command('keygate').exitOverride();
  let parsed: Record<string, unknown> = {};
  const command = program.command('run').action((opts: Record<string, unknown>) => {
    parsed = opts;
  });
  for (const option of options) command.addOption(option);
  program.parse(['node', 'keygate', 'run', ...argv]);
  return parsed;
}

describe('parseWholeNumber', () => {
  it.each([
    ['0', { min: 0 }, 0],
    ['8', { min: 1 }, 8],
    ['65535', { min: 0, max: 65535 }, 65535],
  ])('reads %j within %j', (value, range, expected) => expect(parseWholeNumber(value, '--n', range)).toBe(expected));

  it.each(['', ' 8', '8 ', '8.0', '1e3', '0x10', '-1', '+1', 'two', '9999999999999999'])(
    'refuses %j, naming the flag and the value',
    (value) => {
      expect(() => parseWholeNumber(value, '--concurrency', { min: 0 })).toThrow(KeygateError);
      expect(() => parseWholeNumber(value, '--concurrency', { min: 0 })).toThrow(`--concurrency must be a whole number ≥ 0 (got ${value})`);
    },
  );

  it('refuses a number outside its bounds, saying both bounds and what it counts', () => {
    expect(() => parseWholeNumber('301', '--stale-if-error', { min: 0, max: 300, noun: 'a whole number of seconds' })).toThrow(
      '--stale-if-error must be a whole number of seconds from 0 to 300 (got 301)',
    );
    expect(() => parseWholeNumber('2', '--window', { min: 3 })).toThrow('--window must be a whole number ≥ 3 (got 2)');
  });
});

describe('options parsed as commander reads them', () => {
  it('gives the command a number, and the default as a number when the flag is absent', () => {
    const options = () => [wholeNumberOption('--concurrency <n>', 'uploads at once', { min: 1 }, 8), portOption('--port <port>', 'port')];
    expect(parse(['--concurrency', '3', '--port', '0'], ...options())).toEqual({ concurrency: 3, port: 0 });
    expect(parse([], ...options())).toEqual({ concurrency: 8 });
  });

  it('fails the parse with a KeygateError naming the long flag, before the action runs', () => {
    let ran = false;
    const program = new Command('keygate').exitOverride();
    program
      .command('run')
      .addOption(portOption('-p, --port <port>', 'port'))
      .action(() => {
        ran = true;
      });
    expect(() => program.parse(['node', 'keygate', 'run', '-p', '70000'])).toThrow(
      '--port must be a port number from 0 to 65535 (got 70000)',
    );
    expect(ran).toBe(false);
  });
});

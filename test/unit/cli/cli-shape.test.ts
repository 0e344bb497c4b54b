import type { Command } from 'commander';
import { buildProgram } from '../../../lib/cli/program';
import { printResult } from '../../../lib/cli/output';

/** Every runnable command, by its full name (`config from-oidc`). */
function commandsOf(command: Command, prefix = ''): { name: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length > 0 ? commandsOf(sub, `${name} `) : [{ name, command: sub }];
  });
}

const commands = commandsOf(buildProgram());

describe('the CLI behaves the same everywhere', () => {
  it('has the commands this test knows', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(
      [
        'config from-oidc',
        'dev',
        'encrypt',
        'end-session',
        'grant',
        'import',
        'keygen',
        'list',
        'live',
        'package',
        'publish',
        'revoke',
        'revoke-sessions',
        'sessions',
        'token',
        'verify',
      ].sort(),
    );
  });

  it.each(commands.map((c) => [c.name, c.command] as const))(
    '%s prints its result as JSON with --json, and says what it does',
    (_name, command) => {
      expect(command.options.map((o) => o.long)).toContain('--json');
      expect(command.description().length).toBeGreaterThan(10);
    },
  );
});

describe('printResult', () => {
  let written: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  });
  afterEach(() => spy.mockRestore());

  it('prints the sentence for a person, ending the line once', () => {
    printResult({}, { granted: 1 }, 'granted alice movie');
    printResult({}, {}, 'two\nlines\n');
    expect(written).toEqual(['granted alice movie\n', 'two\nlines\n']);
  });

  it('prints the record as one JSON line with --json', () => {
    printResult({ json: true }, { uid: 'alice', revoked: true }, 'revoked alice movie');
    expect(written).toEqual(['{"uid":"alice","revoked":true}\n']);
  });
});

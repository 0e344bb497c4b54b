import { Command, CommanderError } from 'commander';
import { describeError, type FailedCommandOptions } from './describe-error';
import * as config from './commands/config';
import * as dev from './commands/dev';
import * as encrypt from './commands/encrypt';
import * as entitlements from './commands/entitlements';
import * as importGrants from './commands/import';
import * as live from './commands/live';
import * as packageVideo from './commands/package';
import * as publish from './commands/publish';
import * as sessions from './commands/sessions';
import * as tokens from './commands/tokens';
import * as verify from './commands/verify';
import { EXIT_CODES } from './exit-codes';

/**
 * Each command lives in lib/cli/commands/<name>.ts and exports `register(program)`.
 * Add one import and one line to COMMANDS per command.
 */
const COMMANDS: ((program: Command) => void)[] = [
  entitlements.register,
  sessions.register,
  importGrants.register,
  tokens.register,
  packageVideo.register,
  encrypt.register,
  publish.register,
  live.register,
  dev.register,
  verify.register,
  config.register,
];

/** The whole CLI, every command registered (exported for the tests that read its shape). */
export function buildProgram(): Command {
  const program = new Command('keygate')
    .description('Keygate: AES-128 HLS whose keys are gated per viewer at the edge.')
    .option('--debug', 'print the stack trace of an unexpected error')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/**
 * Runs the CLI. Every failure is printed here and only here: a KeygateError (or an AWS failure a
 * user can fix) as one actionable line, anything else as one line that names it and suggests
 * --debug, which adds the stack. Either way the exit code is non-zero.
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  let failedOptions: FailedCommandOptions = {};
  program.hook('preAction', (_program, command) => {
    failedOptions = { ...command.opts(), takesProfile: command.options.some((option) => option.long === '--profile') };
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.exitCode = EXIT_CODES.failed;
    const line = describeError(error, failedOptions);
    if (line !== undefined) {
      process.stderr.write(`keygate: ${line}\n`);
      return;
    }
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (program.opts().debug) process.stderr.write(`keygate: unexpected error: ${error instanceof Error ? error.stack : what}\n`);
    else process.stderr.write(`keygate: unexpected error: ${what.split('\n')[0]} (run again with --debug for the stack)\n`);
  }
}

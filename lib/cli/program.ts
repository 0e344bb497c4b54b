import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';
import * as dev from './commands/dev';
import * as encrypt from './commands/encrypt';
import * as entitlements from './commands/entitlements';
import * as importGrants from './commands/import';
import * as packageVideo from './commands/package';
import * as publish from './commands/publish';
import * as tokens from './commands/tokens';

/**
 * Each command lives in lib/cli/commands/<name>.ts and exports `register(program)`.
 * Add one import and one line to COMMANDS per command.
 */
const COMMANDS: ((program: Command) => void)[] = [
  entitlements.register,
  importGrants.register,
  tokens.register,
  packageVideo.register,
  encrypt.register,
  publish.register,
  dev.register,
];

export function buildProgram(): Command {
  const program = new Command('keygate')
    .description('Keygate: AES-128 HLS whose keys are gated per viewer at the edge.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI; every failure ends as one actionable line on stderr and a non-zero exit. */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`keygate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

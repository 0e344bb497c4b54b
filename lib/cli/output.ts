import type { Command } from 'commander';

export interface JsonOption {
  json?: boolean;
}

/** `--json` on a command that prints a result: the same facts as one JSON line on stdout, for scripts. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print the result as one JSON line, for scripts');
}

/**
 * Prints a command's result on stdout: the sentence for a person, or with --json the record the
 * sentence was made from, as one line. Warnings and progress stay on stderr either way.
 */
export function printResult(options: JsonOption, record: object, sentence: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(record)}\n` : sentence.endsWith('\n') ? sentence : `${sentence}\n`);
}

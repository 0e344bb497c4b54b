import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { EntitlementClient } from '../../admin/entitlement-client';
import { IMPORT_COLUMNS, planImport } from '../../admin/grant-import';
import { KeygateError } from '../../keygate-error';
import { progressBar } from '../progress';
import { tableTarget, withTableOptions, type TableOptions } from '../table-options';
import { EXIT_CODES } from '../exit-codes';
import { withJsonOption } from '../output';

/** keygate import <grants.csv>: bulk grants; bad rows are reported by line and never block good ones. */
export function register(program: Command): void {
  withTableOptions(
    withJsonOption(program.command('import <csv>')).description(
      `bulk grants from a CSV with header ${IMPORT_COLUMNS.join(',')} (until: empty, ISO time or 48h; videoId * for all access)`,
    ),
  ).action(async (csvPath: string, options: TableOptions & { json?: boolean }) => {
    if (!existsSync(csvPath)) throw new KeygateError(`no file at ${csvPath}`);
    const target = tableTarget(options);
    const plan = planImport(readFileSync(csvPath, 'utf8'), Date.now() / 1000);
    const client = new EntitlementClient(target);
    const bar = progressBar(plan.items.length, 'granting');
    let written = 0;
    try {
      written = await client.putAll(plan.items, (done) => bar.update(done));
    } finally {
      bar.stop();
      client.destroy();
    }
    const report = { written, rejected: plan.rejected, superseded: plan.superseded };
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `granted ${written} rows${plan.superseded ? ` (${plan.superseded} repeated rows superseded by later ones)` : ''}\n`,
      );
      for (const row of plan.rejected) process.stdout.write(`rejected line ${row.line}: ${row.reason}\n`);
    }
    // Partial success is still a failure for scripts: some rows need fixing.
    if (plan.rejected.length > 0) process.exitCode = EXIT_CODES.problemsFound;
  });
}

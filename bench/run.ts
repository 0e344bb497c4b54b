import { Command } from 'commander';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderResults } from './report';
import { REMEASURABLE_SECTIONS, rerunSections, runBench, type BenchResults, type RemeasurableSection } from './run-bench';

/** Writes a file whole or not at all: a failed or interrupted run never leaves half a report. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const program = new Command('bench')
  .description(
    'Measure what Keygate saves and costs against the seed handler and gate-everything: authorizations per playback in Chromium, ' +
      'decision latency, throughput, cold start, memory, packaging and a cost model. Writes RESULTS.md and results.json.',
  )
  .option('--quick', 'tiny sizes, in about a minute: checks the harness, not the numbers (npm test runs it)')
  .option('--out <dir>', 'where RESULTS.md and results.json go (default: bench/, or bench/.work/quick with --quick)')
  .option('--render-only', "rewrite RESULTS.md from the out dir's results.json, measuring nothing")
  .option(
    '--only <sections>',
    `measure only these sections (comma-separated: ${REMEASURABLE_SECTIONS.join(', ')}) and keep the rest from the out dir's results.json`,
  )
  .option('--work-dir <dir>', 'media and scratch files, kept so videos are packaged once (default: bench/.work)')
  .action(async (options: { quick?: boolean; out?: string; workDir?: string; renderOnly?: boolean; only?: string }) => {
    const quick = options.quick === true;
    // Paths given are the caller's, from the working directory; the defaults are this folder's, from anywhere.
    const baseWorkDir = resolve(options.workDir ?? join(__dirname, '.work'));
    const workDir = join(baseWorkDir, quick ? 'quick' : 'full');
    const outDir = resolve(options.out ?? (quick ? join(baseWorkDir, 'quick') : __dirname));
    if (options.renderOnly) {
      const saved = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as BenchResults;
      writeAtomically(join(outDir, 'RESULTS.md'), renderResults(saved));
      process.stderr.write(`rewrote ${join(outDir, 'RESULTS.md')}\n`);
      return;
    }
    mkdirSync(workDir, { recursive: true });
    mkdirSync(outDir, { recursive: true });
    // Each line says when it came, so a slow section shows in the progress without a profiler.
    const startedAt = Date.now();
    const log = (line: string) => process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
    let results: BenchResults;
    if (options.only !== undefined) {
      const sections = options.only.split(',').map((name) => name.trim());
      const unknown = sections.filter((name) => !(REMEASURABLE_SECTIONS as readonly string[]).includes(name));
      if (unknown.length > 0 || sections.length === 0) {
        throw new Error(`--only takes ${REMEASURABLE_SECTIONS.join(', ')}; not ${unknown.join(', ') || 'nothing'}`);
      }
      const previous = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as BenchResults;
      if (previous.meta.mode !== (quick ? 'quick' : 'full')) {
        throw new Error(`${join(outDir, 'results.json')} holds a ${previous.meta.mode} run: re-measure with the same sizes`);
      }
      results = await rerunSections({ quick, workDir, log }, sections as RemeasurableSection[], previous);
    } else {
      results = await runBench({ quick, workDir, log });
    }
    writeAtomically(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeAtomically(join(outDir, 'RESULTS.md'), renderResults(results));
    process.stderr.write(`wrote ${join(outDir, 'RESULTS.md')} and results.json\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

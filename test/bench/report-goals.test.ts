import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderResults } from '../../bench/report';
import type { BenchResults } from '../../bench/run-bench';

/** The committed results of the last run, as `--render-only` reads them. */
const committed = () => JSON.parse(readFileSync(join(__dirname, '../../bench/results.json'), 'utf8')) as BenchResults;

/** The same results with the given section timings in place, and a re-measurement of latency and cold start recorded. */
function remeasured(overrides: { hitJwtP99Us: number; zippedBytes: number }): BenchResults {
  const r = committed();
  r.latency['hit-jwt'].p99Us = overrides.hitJwtP99Us;
  r.coldStart.zippedBytes = overrides.zippedBytes;
  r.meta.remeasured = [{ sections: ['latency', 'cold-start'], date: '2026-12-06T05:40:00.000Z', durationSeconds: 300 }];
  return r;
}

const goalRow = (report: string, goal: string) => report.split('\n').find((line) => line.startsWith(`| ${goal} |`));

describe('the goals of issue #24 in RESULTS.md', () => {
  it('reports each goal with its target, the measured figure, and whether it holds', () => {
    const report = renderResults(remeasured({ hitJwtP99Us: 12.3, zippedBytes: 85_336 }));
    expect(report).toContain('## Goals of issue #24');
    expect(goalRow(report, 'JWT + cache hit p99')).toMatch(/\| ≤ 50 µs \| 12\.3 µs .*\| yes \|$/);
    expect(goalRow(report, 'zipped bundle')).toMatch(/\| ≤ 90 KB \| 83\.3 KB \(85,336 bytes\) \| yes \|$/);
  });

  it('says a goal does not hold when the figure misses it', () => {
    const report = renderResults(remeasured({ hitJwtP99Us: 51, zippedBytes: 92_161 }));
    expect(goalRow(report, 'JWT + cache hit p99')).toMatch(/\| \*\*no\*\* \|$/);
    expect(goalRow(report, 'zipped bundle')).toMatch(/\| \*\*no\*\* \|$/);
  });

  it('names the sections re-measured with --only, and when', () => {
    const report = renderResults(remeasured({ hitJwtP99Us: 12.3, zippedBytes: 85_336 }));
    expect(report).toContain('Re-measured on 2026-12-06 05:40 UTC with `npm run bench -- --only latency,cold-start` (300 s)');
    expect(report).toContain('Decision latency measured 2026-12-06 05:40 UTC, cold start 2026-12-06 05:40 UTC');
  });
});

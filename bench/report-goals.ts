import type { BenchResults } from './run-bench';
import { ratio, round } from './harness/stats';

/** Issue #24's figures before its change, as the issue states them, for the goals that are "lower than today's". */
const BEFORE = { firstDecisionMs: 16.4, leaseRenewalMs: 1.96, sessionStartMs: 10.7 };
const ZIPPED_GOAL_BYTES = 90 * 1024;

const yesNo = (holds: boolean) => (holds ? 'yes' : '**no**');
const table = (rows: string[][]) =>
  ['| goal | target | measured in this run | holds |', '| --- | --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** When a section was last measured: the run's date, or its `--only` re-measurement's. */
function measuredOn(r: BenchResults, section: 'latency' | 'cold-start' | 'stream-limits'): string {
  const last = (r.meta.remeasured ?? []).filter((m) => m.sections.includes(section)).at(-1);
  return (last?.date ?? r.meta.date).slice(0, 16).replace('T', ' ');
}

/**
 * The goals of issue #24 ("The first key, faster"), each next to this run's figure. The uncached
 * decision and the seed handler ran side by side (section 2), as did the bundle and an empty handler (section 4).
 */
export function goalsSection(r: BenchResults): string[] {
  const { latency, coldStart: cs } = r;
  const missP50 = ratio(latency['miss-jwt'].p50Us, latency.seed.p50Us);
  const missP99 = ratio(latency['miss-jwt'].p99Us, latency.seed.p99Us);
  const coldDelta = cs.keygate.totalMs - cs.empty.totalMs;
  const renewal = r.streamLimits.latency['limited-renewal'].p50Us / 1000;
  const start = r.streamLimits.latency['limited-start'].p50Us / 1000;
  const rows = [
    [
      'uncached decision (JWT, cache off) p50, against the seed handler',
      '≤ 0.8×',
      `${round(missP50)}× (${round(latency['miss-jwt'].p50Us)} µs against ${round(latency.seed.p50Us)} µs)`,
      yesNo(missP50 <= 0.8),
    ],
    [
      'uncached decision p99, against the seed handler',
      '≤ 1.0×',
      `${round(missP99)}× (${round(latency['miss-jwt'].p99Us)} µs against ${round(latency.seed.p99Us)} µs)`,
      yesNo(missP99 <= 1),
    ],
    [
      'JWT + cache hit p99',
      '≤ 50 µs',
      `${round(latency['hit-jwt'].p99Us)} µs (p50 ${round(latency['hit-jwt'].p50Us)} µs)`,
      yesNo(latency['hit-jwt'].p99Us <= 50),
    ],
    [
      'cold start over an empty handler',
      '≤ +25 ms',
      `+${round(coldDelta)} ms (require ${round(cs.keygate.loadMs)} ms)`,
      yesNo(coldDelta <= 25),
    ],
    [
      'zipped bundle',
      '≤ 90 KB',
      `${round(cs.zippedBytes / 1024)} KB (${cs.zippedBytes.toLocaleString('en-US')} bytes)`,
      yesNo(cs.zippedBytes <= ZIPPED_GOAL_BYTES),
    ],
    [
      "a cold container's first request (cache miss, the SDK's first connection)",
      `reported; < ${BEFORE.firstDecisionMs} ms`,
      `${round(cs.keygate.firstDecisionMs)} ms`,
      yesNo(cs.keygate.firstDecisionMs < BEFORE.firstDecisionMs),
    ],
    ['lease renewal (stream limits) p50', `reported; was ${BEFORE.leaseRenewalMs} ms`, `${round(renewal)} ms`, 'reported'],
    ['session start (stream limits) p50', `reported; was ${BEFORE.sessionStartMs} ms`, `${round(start)} ms`, 'reported'],
  ];
  return [
    '## Goals of issue #24 (the first key, faster)',
    '',
    `Decision latency measured ${measuredOn(r, 'latency')} UTC, cold start ${measuredOn(r, 'cold-start')} UTC, stream limits ${measuredOn(r, 'stream-limits')} UTC; ` +
      'each comparison side by side in one run. On a shared 2-core machine the absolute times move with the load; the ratios less so.',
    '',
    table(rows),
    '',
  ];
}

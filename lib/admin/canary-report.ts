import { CANARY_CHECKS, checkTitle, type CanaryReport, type CheckOutcome } from './canary-checks';

/** A run passes when no check failed; a skipped check (no table access, no signing key) is no failure. */
export const canaryPassed = (report: CanaryReport) => report.checks.every((check) => check.outcome !== 'fail');

const LABEL: Record<CheckOutcome, string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' };

/** The report for scripts: one object, each check with its number, title, outcome and detail. */
export function canaryJson(report: CanaryReport): object {
  return {
    passed: canaryPassed(report),
    distribution: report.distribution,
    videoId: report.videoId,
    ...(report.keyUrl ? { keyUrl: report.keyUrl } : {}),
    ...(report.viewer ? { viewer: report.viewer } : {}),
    ...(report.cleanupProblem ? { cleanupProblem: report.cleanupProblem } : {}),
    checks: report.checks.map((result) => ({
      number: CANARY_CHECKS.indexOf(result.check) + 1,
      check: result.check,
      title: checkTitle(result.check, report.ttlWaitSeconds),
      outcome: result.outcome,
      detail: result.detail,
    })),
  };
}

/**
 * The pass/fail table, one row per check and the detail on its row (for a failure: what to look at),
 * then one line that counts them and names the failed checks.
 */
export function formatCanaryTable(report: CanaryReport): string {
  const rows = report.checks.map((result) => [
    String(CANARY_CHECKS.indexOf(result.check) + 1),
    checkTitle(result.check, report.ttlWaitSeconds),
    LABEL[result.outcome],
    result.detail,
  ]);
  const header = ['#', 'check', 'result', 'detail'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  // The detail column is last and left ragged: padding it would only add trailing spaces.
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  const failed = report.checks.filter((result) => result.outcome === 'fail');
  const count = (outcome: CheckOutcome) => report.checks.filter((result) => result.outcome === outcome).length;
  const summary =
    failed.length === 0
      ? `verify passed: ${count('pass')} passed, ${count('skipped')} skipped`
      : `verify FAILED: ${failed.length} of ${report.checks.length} checks failed (${failed.map((f) => f.check).join(', ')})`;
  return [
    `keygate verify ${report.distribution} (video ${report.videoId}${report.keyUrl ? `, key ${new URL(report.keyUrl).pathname}` : ''})`,
    line(header),
    ...rows.map(line),
    ...(report.cleanupProblem ? [`warning: ${report.cleanupProblem}`] : []),
    summary,
    '',
  ].join('\n');
}

import type { CanaryReport, CheckResult } from '../../../lib/admin/canary-checks';
import { canaryJson, canaryPassed, formatCanaryTable } from '../../../lib/admin/canary-report';

function report(
  overrides: Partial<Record<CheckResult['check'], Partial<CheckResult>>> = {},
  extra: Partial<CanaryReport> = {},
): CanaryReport {
  const pass = (check: CheckResult['check'], detail: string): CheckResult => ({ check, outcome: 'pass', detail, ...overrides[check] });
  return {
    distribution: 'https://cdn.example.com/',
    videoId: 'movie',
    ttlWaitSeconds: 35,
    keyUrl: 'https://cdn.example.com/keys/movie/0.key',
    checks: [
      pass('anonymous', '401 no-credentials'),
      pass('entitled', '200, 16 bytes, Cache-Control: private, no-store'),
      pass('unentitled', '403 not-entitled'),
      pass('encoded-paths', '15 spellings tried, none returned the key'),
      pass('media-public', 'readable; repeated segment request: Hit from cloudfront'),
      pass('revocation', '403 not-entitled 4 s after the grant was removed'),
    ],
    ...extra,
  };
}

describe('formatCanaryTable', () => {
  it('prints one aligned row per check, then a line that says the run passed', () => {
    expect(formatCanaryTable(report())).toBe(
      [
        'keygate verify https://cdn.example.com/ (video movie, key /keys/movie/0.key)',
        '#  check                                                                result  detail',
        '1  anonymous key request is refused (401)                               PASS    401 no-credentials',
        '2  entitled viewer gets the key (200, 16 bytes, no-store, edge-cached)  PASS    200, 16 bytes, Cache-Control: private, no-store',
        '3  unentitled viewer is refused (403)                                   PASS    403 not-entitled',
        '4  encoded key paths give no key                                        PASS    15 spellings tried, none returned the key',
        '5  playlist and segment are public and cached                           PASS    readable; repeated segment request: Hit from cloudfront',
        '6  revocation takes effect within 35 s                                  PASS    403 not-entitled 4 s after the grant was removed',
        'verify passed: 6 passed, 0 skipped',
        '',
      ].join('\n'),
    );
  });

  it('marks skipped rows SKIP and does not count them as failures', () => {
    const skipped = report({ entitled: { outcome: 'skipped', detail: 'skipped: no table access (--table, --region)' } });
    expect(formatCanaryTable(skipped)).toContain('SKIP    skipped: no table access (--table, --region)\n');
    expect(formatCanaryTable(skipped)).toMatch(/\nverify passed: 5 passed, 1 skipped\n$/);
    expect(canaryPassed(skipped)).toBe(true);
  });

  it('names the failed checks in its last line, with the reason on each row', () => {
    const failed = report({
      anonymous: { outcome: 'fail', detail: 'got 200, expected 401 no-credentials: does /keys/* run the key authorizer?' },
      revocation: { outcome: 'fail', detail: 'the key was still served 35 s after the grant was removed' },
    });
    const table = formatCanaryTable(failed);
    expect(table).toContain(
      '1  anonymous key request is refused (401)                               FAIL    got 200, expected 401 no-credentials',
    );
    expect(table).toMatch(/\nverify FAILED: 2 of 6 checks failed \(anonymous, revocation\)\n$/);
    expect(canaryPassed(failed)).toBe(false);
  });

  it('warns when the test grant could not be removed', () => {
    expect(formatCanaryTable(report({}, { cleanupProblem: 'could not remove the grant' }))).toContain(
      '\nwarning: could not remove the grant\n',
    );
  });
});

describe('canaryJson', () => {
  it('gives each check its number, name, title, outcome and detail, and the run its verdict', () => {
    const json = canaryJson(
      report({ 'media-public': { outcome: 'fail', detail: 'no repeat was a cache hit' } }, { viewer: 'keygate-verify-1' }),
    );
    expect(json).toMatchObject({
      passed: false,
      videoId: 'movie',
      viewer: 'keygate-verify-1',
      keyUrl: 'https://cdn.example.com/keys/movie/0.key',
    });
    expect((json as { checks: unknown[] }).checks[4]).toEqual({
      number: 5,
      check: 'media-public',
      title: 'playlist and segment are public and cached',
      outcome: 'fail',
      detail: 'no repeat was a cache hit',
    });
  });
});

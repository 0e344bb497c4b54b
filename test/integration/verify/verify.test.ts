import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { runCli } from '../../fixtures/run-cli';

// `keygate verify` as an operator runs it: the real CLI against a real `keygate dev` (built
// authorizer, CloudFront + S3 emulator, dynalite), and against a broken distribution in front of it.
let dev: DevProcess;
let broken: { server: Server; url: string };

/** Where a key object lives in the dev stack's origin folder, for a path S3 would decode to `keys/<video>/<key>.key`. */
function keyFileFor(rawPath: string): string | undefined {
  let objectKey: string;
  try {
    objectKey = decodeURIComponent(rawPath.split('?')[0].slice(1));
  } catch {
    return undefined;
  }
  return /^keys\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\.key$/.test(objectKey) ? join(dev.dataDir, 'origin', objectKey) : undefined;
}

/**
 * A distribution with every mistake the canary looks for: keys served from any spelling of their
 * path with no authorizer (as if the key bucket sat behind the default behavior), and media that
 * CloudFront never caches. Everything else is passed through to the dev stack.
 */
function brokenDistribution(target: URL) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const keyFile = keyFileFor(req.url ?? '/');
    if (keyFile) {
      let key: Buffer;
      try {
        key = readFileSync(keyFile);
      } catch {
        res.writeHead(403).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'private, no-store' }).end(key);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-cache': 'Miss from cloudfront' });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

beforeAll(async () => {
  dev = await startDevProcess();
  const server = brokenDistribution(new URL(dev.ready.url));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  broken = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
});

afterAll(async () => {
  if (broken) await new Promise<void>((resolve) => broken.server.close(() => resolve()));
  await dev?.stop();
});

/** The flags an operator passes: dev's signing key, issuer and audience, its table, and a wait that fits dev's 2 s allow cache. */
const verifyArgs = (url: string, ...extra: string[]) => [
  'verify',
  url,
  '--key',
  dev.ready.signingKey,
  '--issuer',
  dev.ready.issuer,
  '--audience',
  dev.ready.audience,
  '--table',
  dev.ready.table,
  '--region',
  dev.ready.region,
  '--endpoint',
  dev.ready.dynamodbEndpoint,
  '--ttl-wait',
  '6',
  ...extra,
];

interface JsonReport {
  passed: boolean;
  viewer: string;
  checks: { check: string; outcome: string; detail: string }[];
}

describe('keygate verify against keygate dev', () => {
  it('passes every check, exits 0, leaves no grant behind and signs its test viewer out', async () => {
    const result = await runCli(verifyArgs(dev.ready.url, '--json'));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => `${c.check}: ${c.outcome}`)).toEqual([
      'anonymous: pass',
      'entitled: pass',
      'unentitled: pass',
      'encoded-paths: pass',
      'media-public: pass',
      'revocation: pass',
    ]);
    expect(report.checks.find((c) => c.check === 'media-public')?.detail).toMatch(/not judged: no x-cache header$/);
    // No grant left, and the test viewer signed out: any token it minted is refused from now on.
    const items = JSON.parse((await dev.keygate('list', report.viewer, '--json')).stdout) as { sk: string; revokedBefore?: number }[];
    expect(items).toEqual([{ uid: report.viewer, sk: '#revoked', revokedBefore: expect.any(Number) }]);
  });

  it('prints a table with a PASS row per check and progress lines on stderr', async () => {
    const result = await runCli(verifyArgs(dev.ready.url));
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => /^\d {2}/.test(line));
    expect(rows.map((row) => /\s(PASS|FAIL|SKIP)\s/.exec(row)?.[1])).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    expect(result.stdout).toMatch(/\nverify passed: 6 passed, 0 skipped\n$/);
    expect(result.stderr).toContain('verify: check 6 (revocation): pass: 403 not-entitled');
  });

  it('skips the grant checks with a clear row when it has no table access', async () => {
    const result = await runCli(
      ['verify', dev.ready.url, '--key', dev.ready.signingKey, '--issuer', dev.ready.issuer, '--audience', dev.ready.audience],
      { KEYGATE_TABLE: '' },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^2 .*SKIP {4}skipped: no table access \(--table, --region\)$/m);
    expect(result.stdout).toMatch(/^6 .*SKIP {4}skipped: no table access \(--table, --region\)$/m);
  });
});

describe('keygate verify against a distribution that serves keys without the authorizer', () => {
  it('exits non-zero and names every failed row with what to look at', async () => {
    const result = await runCli(verifyArgs(broken.url, '--ttl-wait', '3'));
    expect(result.code).toBe(2);
    const row = (n: number) => result.stdout.split('\n').find((line) => line.startsWith(`${n}  `)) ?? '';
    expect(row(1)).toMatch(/FAIL {4}got 200, expected 401 no-credentials: the key was served: does \/keys\/\* run the key authorizer/);
    expect(row(2)).toMatch(/PASS/);
    expect(row(3)).toMatch(/FAIL {4}a viewer with no grant got the key/);
    expect(row(4)).toMatch(/FAIL {4}\d+ of \d+ spellings returned the key with the test viewer’s token, e\.g\. \/keys%2Fdemo%2F0\.key/);
    expect(row(5)).toMatch(
      /FAIL {4}3 requests of \/videos\/demo\/\w+\/seg00000\.ts, no repeat was a cache hit \(x-cache: Miss from cloudfront\)/,
    );
    expect(row(6)).toMatch(/FAIL {4}the key was still served 3 s after the grant was removed, expected 403/);
    expect(result.stdout).toMatch(
      /\nverify FAILED: 5 of 6 checks failed \(anonymous, unentitled, encoded-paths, media-public, revocation\)\n$/,
    );
  });
});

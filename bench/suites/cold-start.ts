import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { AUTHORIZER_CONFIG_FILE } from '../../lambda/key-authorizer/authorizer-config';
import { BENCH_REGION, benchKeyEvent, benchToken, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { interleaved, median } from '../harness/stats';
import type { World } from '../harness/world';

/** Lambda@Edge's limit for a viewer-request function's zipped package. */
export const EDGE_ZIPPED_LIMIT_BYTES = 1024 * 1024;

interface Probe {
  loadMs: number;
  firstDecisionMs: number;
  totalMs: number;
  passed: boolean;
  wallMs: number;
}

/**
 * The size of the deployment zip: each file deflated (level 9, as CDK's asset zips) plus the zip
 * format's own headers (local header 30 B + name, central directory 46 B + name, end record 22 B).
 */
export function zippedSize(files: string[]): number {
  let total = 22;
  for (const file of files) total += deflateRawSync(readFileSync(file), { level: 9 }).length + 30 + 46 + 2 * basename(file).length;
  return total;
}

function probe(bundleFile: string, event: unknown): Promise<Probe> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [resolve('bench/harness/cold-start-probe.js'), bundleFile, JSON.stringify(event)],
      { env: { ...process.env, AWS_REGION: BENCH_REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
      (error, _stdout, stderr) => {
        const wallMs = performance.now() - started;
        const last = stderr.trim().split('\n').pop() ?? '';
        if (error) return fail(new Error(`cold-start probe failed: ${stderr}`));
        done({ ...(JSON.parse(last) as Omit<Probe, 'wallMs'>), wallMs });
      },
    );
  });
}

/**
 * Measurement 4: the zipped bundle against the 1 MB limit, and fresh processes that load the
 * bundle and make one decision (JWT verified, one BatchGetItem to dynalite), interleaved with
 * fresh processes loading a handler that does nothing.
 */
export async function benchColdStart(world: World, key: SigningKey, workDir: string, options: { processes: number }) {
  const bundleFile = buildBenchAuthorizer(join(workDir, 'edge-cold'), world.dynamodbEndpoint, key);
  const zipped = zippedSize([bundleFile, join(workDir, 'edge-cold', AUTHORIZER_CONFIG_FILE)]);
  const uid = 'cold-viewer';
  await world.grant([{ uid, videoId: 'cold-v', keyUris: ['/keys/cold-v/0.key'] }]);
  const event = benchKeyEvent('/keys/cold-v/0.key', ['Authorization', `Bearer ${benchToken(key, uid)}`]);
  const handlers = { keygate: bundleFile, empty: resolve('bench/baselines/empty-handler.js') };
  const runs = await interleaved(['keygate', 'empty'] as const, options.processes, (which) => probe(handlers[which], event));
  const summary = (list: Probe[]) => ({
    loadMs: median(list.map((p) => p.loadMs)),
    firstDecisionMs: median(list.map((p) => p.firstDecisionMs)),
    totalMs: median(list.map((p) => p.totalMs)),
    wallMs: median(list.map((p) => p.wallMs)),
    allPassed: list.every((p) => p.passed),
    processes: list.length,
  });
  return {
    bundleBytes: readFileSync(bundleFile).length,
    zippedBytes: zipped,
    limitBytes: EDGE_ZIPPED_LIMIT_BYTES,
    keygate: summary(runs.keygate),
    empty: summary(runs.empty),
  };
}

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { EDGE_VIEWER_REQUEST_ZIPPED_LIMIT_BYTES, zippedSize } from '../../lib/build/zipped-size';
import { BENCH_REGION, benchKeyEvent, benchToken, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { interleaved, median } from '../harness/stats';
import type { World } from '../harness/world';

interface Probe {
  loadMs: number;
  firstDecisionMs: number;
  totalMs: number;
  passed: boolean;
  wallMs: number;
}

const PROBE = join(__dirname, '..', 'harness', 'cold-start-probe.js');
const EMPTY_HANDLER = join(__dirname, '..', 'baselines', 'empty-handler.js');

function probe(bundleFile: string, event: unknown): Promise<Probe> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [PROBE, bundleFile, JSON.stringify(event)],
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
  const bundleDir = join(workDir, 'edge-cold');
  const bundleFile = buildBenchAuthorizer(bundleDir, world.dynamodbEndpoint, key);
  const uid = 'cold-viewer';
  await world.grant([{ uid, videoId: 'cold-v', keyUris: ['/keys/cold-v/0.key'] }]);
  const event = benchKeyEvent('/keys/cold-v/0.key', ['Authorization', `Bearer ${benchToken(key, uid)}`]);
  const handlers = { keygate: bundleFile, empty: EMPTY_HANDLER };
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
    bundleBytes: statSync(bundleFile).size,
    zippedBytes: zippedSize(bundleDir),
    limitBytes: EDGE_VIEWER_REQUEST_ZIPPED_LIMIT_BYTES,
    keygate: summary(runs.keygate),
    empty: summary(runs.empty),
  };
}

import { join } from 'node:path';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { createSeedHandler } from '../baselines/seed-handler';
import { BENCH_REGION, benchKeyEvent, benchToken, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { serveChild } from '../harness/child';
import { interleaved, percentile } from '../harness/stats';
import { LATENCY_CASES, type LatencyCase, type LatencyInput, type LatencyResult } from './latency-types';

serveChild<LatencyInput, Record<LatencyCase, LatencyResult>>(async (input) => {
  const key = loadSigningKey(input.signingKeyPem);
  // The deployable bundle, with the legacy uid cookie accepted so a hit without a signature can be timed.
  const keygate: EdgeHandler = loadEdgeHandler(
    buildBenchAuthorizer(join(input.workDir, 'edge-latency'), input.endpoint, key, { allowUidCookie: true }),
    BENCH_REGION,
  );
  const seed = createSeedHandler({ endpoint: input.endpoint, region: BENCH_REGION });
  const uri = input.keyUri;
  const viewers = input.viewers;
  const tokens = viewers.map((uid) => benchToken(key, uid));
  const warm = viewers[0];
  const warmToken = tokens[0];
  let nextMiss = 0;
  let nextSeed = 0;

  const makers: Record<LatencyCase, () => { handler: EdgeHandler; event: ReturnType<typeof benchKeyEvent> }> = {
    'hit-cookie': () => ({ handler: keygate, event: benchKeyEvent(uri, ['Cookie', `uid=${warm}`]) }),
    'hit-jwt': () => ({ handler: keygate, event: benchKeyEvent(uri, ['Authorization', `Bearer ${warmToken}`]) }),
    'miss-jwt': () => {
      // Viewers 1… are each seen once: every request is a miss.
      const i = 1 + (nextMiss++ % (viewers.length - 1));
      return { handler: keygate, event: benchKeyEvent(uri, ['Authorization', `Bearer ${tokens[i]}`]) };
    },
    seed: () => ({ handler: seed, event: benchKeyEvent(uri, ['Cookie', `uid=${viewers[nextSeed++ % viewers.length]}`]) }),
  };
  const samples = Object.fromEntries(LATENCY_CASES.map((c) => [c, [] as number[]])) as Record<LatencyCase, number[]>;
  const unexpected = Object.fromEntries(LATENCY_CASES.map((c) => [c, 0])) as Record<LatencyCase, number>;
  // Warm the JIT, the SDK client's connection and the warm viewer's cache entry; none of it is timed.
  for (const c of ['hit-cookie', 'hit-jwt', 'seed'] as const) {
    for (let i = 0; i < 50; i++) {
      const { handler, event: e } = makers[c]();
      await handler(e);
    }
  }
  const perRound = Math.ceil(input.requestsPerCase / input.rounds);
  await interleaved(LATENCY_CASES, input.rounds, async (c) => {
    // Each batch starts from a warm entry, as a hit does in a warm container.
    await keygate(makers['hit-cookie']().event);
    for (let i = 0; i < perRound; i++) {
      const { handler, event: e } = makers[c]();
      const started = process.hrtime.bigint();
      const result = await handler(e);
      samples[c].push(Number(process.hrtime.bigint() - started) / 1000);
      // Every case here is an entitled viewer: anything but the request passed on is a failed measurement.
      if ('status' in result) unexpected[c]++;
    }
  });
  const out = {} as Record<LatencyCase, LatencyResult>;
  for (const c of LATENCY_CASES) {
    out[c] = { n: samples[c].length, p50Us: percentile(samples[c], 50), p99Us: percentile(samples[c], 99), unexpected: unexpected[c] };
  }
  return { value: out };
});

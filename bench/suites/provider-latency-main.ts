import { join } from 'node:path';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { BENCH_REGION, benchKeyEvent, benchToken, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { serveChild } from '../harness/child';
import { interleaved, median, percentile } from '../harness/stats';
import { PROVIDER_HIT_CASES, type ProviderHitCase, type ProviderLatencyInput, type ProviderLatencyResult } from './provider-latency-types';

serveChild<ProviderLatencyInput, ProviderLatencyResult>(async (input) => {
  const key = loadSigningKey(input.signingKeyPem);
  const bundle = buildBenchAuthorizer(join(input.workDir, 'edge-provider-latency'), input.endpoint, key, {
    trustedIssuers: [input.trustedIssuer],
    jwksCa: input.caPem,
  });
  // The decision lines would go to Lambda's log pipe; here they are read for the fetch time alone.
  const fetchMs: number[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.includes('"jwksFetch":"fetched"')) fetchMs.push((JSON.parse(text) as { jwksFetchMs: number }).jwksFetchMs);
    return true;
  }) as typeof process.stdout.write;

  const events: Record<ProviderHitCase, ReturnType<typeof benchKeyEvent>> = {
    'hit-self': benchKeyEvent(input.keyUri, ['Authorization', `Bearer ${benchToken(key, input.selfViewer)}`]),
    'hit-provider': benchKeyEvent(input.keyUri, ['Authorization', `Bearer ${input.providerToken}`]),
  };
  const passed = (result: Awaited<ReturnType<EdgeHandler>>) => !('status' in result);

  // Cold containers first (the warm one would otherwise share nothing with them anyway: each load is a fresh module).
  const cold = { self: [] as number[], provider: [] as number[], unexpected: 0 };
  await interleaved(['self', 'provider'] as const, input.coldContainers, async (which) => {
    const fresh = loadEdgeHandler(bundle, BENCH_REGION);
    const started = process.hrtime.bigint();
    const result = await fresh(which === 'self' ? events['hit-self'] : events['hit-provider']);
    cold[which].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!passed(result)) cold.unexpected++;
  });
  const coldFetchMs = [...fetchMs];

  const warm: EdgeHandler = loadEdgeHandler(bundle, BENCH_REGION);
  for (let i = 0; i < 50; i++) for (const c of PROVIDER_HIT_CASES) await warm(events[c]);
  const samples = { 'hit-self': [] as number[], 'hit-provider': [] as number[] };
  const unexpected = { 'hit-self': 0, 'hit-provider': 0 };
  const perRound = Math.ceil(input.requestsPerCase / input.rounds);
  await interleaved(PROVIDER_HIT_CASES, input.rounds, async (c) => {
    for (let i = 0; i < perRound; i++) {
      const started = process.hrtime.bigint();
      const result = await warm(events[c]);
      samples[c].push(Number(process.hrtime.bigint() - started) / 1000);
      if (!passed(result)) unexpected[c]++;
    }
  });
  const hit = (c: ProviderHitCase) => ({
    n: samples[c].length,
    p50Us: percentile(samples[c], 50),
    p99Us: percentile(samples[c], 99),
    unexpected: unexpected[c],
  });
  return {
    value: {
      hits: { 'hit-self': hit('hit-self'), 'hit-provider': hit('hit-provider') },
      cold: {
        containers: input.coldContainers,
        selfFirstMs: median(cold.self),
        providerFirstMs: median(cold.provider),
        jwksFetchMs: median(coldFetchMs),
        jwksRequests: 0,
        unexpected: cold.unexpected,
      },
    },
  };
});

import { join } from 'node:path';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { BENCH_REGION, benchKeyEvent, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { serveChild } from '../harness/child';
import { countDynamoDbRequests } from '../harness/world-types';
import type { MemoryInput, MemoryResult } from './memory-types';

const mb = (bytes: number) => bytes / 1024 / 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

serveChild<MemoryInput, MemoryResult>(async (input) => {
  gc();
  const rssBeforeLoadMb = mb(process.memoryUsage().rss);
  // Long TTLs: only the cache's size bound, never expiry, can make it forget a viewer here.
  const handler = loadEdgeHandler(
    buildBenchAuthorizer(join(input.workDir, 'edge-memory'), input.endpoint, loadSigningKey(input.signingKeyPem), {
      allowUidCookie: true,
      allowTtlSeconds: 3600,
      denyTtlSeconds: 3600,
      ...(input.cacheMaxEntries !== undefined ? { cacheMaxEntries: input.cacheMaxEntries } : {}),
    }),
    BENCH_REGION,
  );
  const decide = (i: number) => handler(benchKeyEvent('/keys/mem-v/0.key', ['Cookie', `uid=mem-viewer-${i}`]));
  await decide(-1);
  gc();
  const rssAfterLoadMb = mb(process.memoryUsage().rss);
  const samples: MemoryResult['samples'] = [];
  const every = Math.max(1, Math.floor(input.decisions / 10));
  let next = 0;
  // A few decisions in flight at once, as a busy container has them.
  const worker = async () => {
    for (let i = next++; i < input.decisions; i = next++) {
      await decide(i);
      if ((i + 1) % every === 0) {
        const usage = process.memoryUsage();
        samples.push({ decisions: i + 1, rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed) });
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  gc();
  const after = process.memoryUsage();
  const reads = () => countDynamoDbRequests(input.worldUrl);
  // The cache must have forgotten the first viewers and still hold the last: count the store reads each costs.
  const r0 = await reads();
  await decide(input.decisions - 1);
  const r1 = await reads();
  await decide(0);
  const r2 = await reads();
  return {
    value: {
      decisions: input.decisions,
      rssBeforeLoadMb,
      rssAfterLoadMb,
      samples: samples.sort((a, b) => a.decisions - b.decisions),
      rssAfterGcMb: mb(after.rss),
      heapUsedAfterGcMb: mb(after.heapUsed),
      lastViewerStoreReads: r1 - r0,
      firstViewerStoreReads: r2 - r1,
    },
  };
});

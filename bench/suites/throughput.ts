import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { BENCH_COOKIE, benchToken } from '../harness/bench-authorizer';
import { interleaved, median } from '../harness/stats';
import type { World } from '../harness/world';
import type { Design } from '../harness/world-types';

// autocannon ships no types; this is the part of its API the benchmark uses.
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = require('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<AutocannonResult>;

export const THROUGHPUT_DESIGNS = ['keygate', 'keygate-nocache', 'seed'] as const satisfies readonly Design[];
export type ThroughputDesign = (typeof THROUGHPUT_DESIGNS)[number];

export interface ThroughputRun {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 200, errors and timeouts: must be 0, every viewer is entitled. */
  failures: number;
  dynamodbRequestsPer1000: number;
}

export interface ThroughputOptions {
  viewers: number;
  videos: number;
  keysPerVideo: number;
  connections: number;
  durationSeconds: number;
  rounds: number;
  /** Only these designs (a profiled run; the result then holds only them); all by default. */
  designs?: readonly ThroughputDesign[];
}

/** A small deterministic generator, so every design sees the same request mix. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Measurement 3: /keys/* through the emulated distribution under load from autocannon: distinct
 * viewers each entitled to one of the videos, random key windows. Keygate with its cache, with the
 * cache disabled, and the seed handler; requests/s and DynamoDB requests per 1,000 key requests.
 */
export async function benchThroughput(
  world: World,
  key: SigningKey,
  originDir: string,
  options: ThroughputOptions,
): Promise<
  Record<ThroughputDesign, { runs: ThroughputRun[]; requestsPerSecond: number; dynamodbRequestsPer1000: number; failures: number }>
> {
  const video = (i: number) => `tp-v${String(i % options.videos).padStart(3, '0')}`;
  const viewers = Array.from({ length: options.viewers }, (_, i) => ({ uid: `tp-u${i}`, videoId: video(i) }));
  for (let v = 0; v < options.videos; v++) {
    const dir = join(originDir, 'keys', video(v));
    mkdirSync(dir, { recursive: true });
    for (let k = 0; k < options.keysPerVideo; k++)
      if (!existsSync(join(dir, `${k}.key`))) writeFileSync(join(dir, `${k}.key`), randomBytes(16));
  }
  const keyUri = (videoId: string, k: number) => `/keys/${videoId}/${k}.key`;
  await world.grant(viewers.map((v) => ({ ...v, keyUris: Array.from({ length: options.keysPerVideo }, (_, k) => keyUri(v.videoId, k)) })));
  const cookies = viewers.map((v) => `${BENCH_COOKIE}=${benchToken(key, v.uid)}; uid=${v.uid}`);

  const load = (design: ThroughputDesign, duration: number, seed: number) => {
    const random = lcg(seed);
    return autocannon({
      url: world.urls[design],
      connections: options.connections,
      duration,
      requests: [
        {
          setupRequest: (request) => {
            const i = Math.floor(random() * viewers.length);
            const k = Math.floor(random() * options.keysPerVideo);
            return { ...request, method: 'GET', path: keyUri(viewers[i].videoId, k), headers: { cookie: cookies[i] } };
          },
        },
      ],
    });
  };
  // One short untimed pass each: the JIT, the connections, and for Keygate a warm cache, as in a busy edge location.
  const designs = options.designs ?? THROUGHPUT_DESIGNS;
  for (const design of designs) await load(design, 1, 1);

  const runs = await interleaved(designs, options.rounds, async (design, round) => {
    await world.reset();
    const result = await load(design, options.durationSeconds, 100 + round);
    const dynamo = await world.dynamodbRequests();
    const run: ThroughputRun = {
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      dynamodbRequestsPer1000: (dynamo / Math.max(1, result.requests.total)) * 1000,
    };
    return run;
  });
  const out = {} as Awaited<ReturnType<typeof benchThroughput>>;
  for (const design of designs) {
    out[design] = {
      runs: runs[design],
      requestsPerSecond: median(runs[design].map((r) => r.requestsPerSecond)),
      dynamodbRequestsPer1000: median(runs[design].map((r) => r.dynamodbRequestsPer1000)),
      failures: runs[design].reduce((a, r) => a + r.failures, 0),
    };
  }
  return out;
}

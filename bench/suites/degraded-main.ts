import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { startStoreFaultProxy } from '../../lib/dev/store-fault-proxy';
import { BENCH_REGION, benchKeyEvent, benchToken, buildBenchAuthorizer } from '../harness/bench-authorizer';
import { serveChild } from '../harness/child';
import { percentile } from '../harness/stats';
import type { DegradedInput, DegradedRow } from './degraded-types';

/** The allow TTL of these runs: short, so the allows leave the cache in real time before each outage. */
const ALLOW_TTL_SECONDS = 1;

serveChild<DegradedInput, DegradedRow[]>(async (input) => {
  const key = loadSigningKey(input.signingKeyPem);
  const proxy = await startStoreFaultProxy(input.endpoint);
  const tokens = new Map(input.viewers.map((uid) => [uid, benchToken(key, uid)]));
  const recent = input.viewers.slice(0, input.viewers.length / 2);
  const others = input.viewers.slice(input.viewers.length / 2);
  const ask = async (handler: EdgeHandler, uid: string) => {
    const started = process.hrtime.bigint();
    const result = await handler(benchKeyEvent(input.keyUri, ['Authorization', `Bearer ${tokens.get(uid)}`]));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!('status' in result)) return { served: true, unavailable: false, ms };
    const header = (name: string) => result.headers[name]?.[0]?.value;
    return { served: false, unavailable: result.status === '503' && header('retry-after') !== undefined, ms };
  };
  const rows: DegradedRow[] = [];
  try {
    for (const fault of input.faults) {
      for (const graceSeconds of input.graces) {
        proxy.setFault('pass');
        const dir = join(input.workDir, `edge-degraded-${fault}-${graceSeconds}`);
        const options = { allowTtlSeconds: ALLOW_TTL_SECONDS, staleIfErrorSeconds: graceSeconds };
        const handler = loadEdgeHandler(buildBenchAuthorizer(dir, proxy.endpoint, key, options), BENCH_REGION);
        const before = await Promise.all(recent.map((uid) => ask(handler, uid)));
        if (!before.every((r) => r.served)) throw new Error(`degraded ${fault}: a granted viewer was refused while the store was up`);
        // Wait (in real time: this is a separate process with the real clock) for the allows to expire.
        await sleep(ALLOW_TTL_SECONDS * 1000 + 100);
        proxy.setFault(fault);
        // Every viewer arrives during the outage at once, as players do; none shares a lookup.
        const [recentResults, otherResults] = await Promise.all([
          Promise.all(recent.map((uid) => ask(handler, uid))),
          Promise.all(others.map((uid) => ask(handler, uid))),
        ]);
        const waits = recentResults.map((r) => r.ms);
        rows.push({
          fault,
          graceSeconds,
          recentViewers: recent.length,
          recentServed: recentResults.filter((r) => r.served).length,
          recentP50Ms: percentile(waits, 50),
          recentP99Ms: percentile(waits, 99),
          otherViewers: others.length,
          otherServed: otherResults.filter((r) => r.served).length,
          unavailableWithRetryAfter: [...recentResults, ...otherResults].filter((r) => r.unavailable).length,
        });
      }
    }
  } finally {
    await proxy.close();
  }
  return { value: rows };
});

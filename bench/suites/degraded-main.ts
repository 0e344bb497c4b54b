import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntitlementClient } from '../../lib/admin/entitlement-client';
import { grantItem } from '../../lib/admin/entitlement-items';
import { loadSigningKey } from '../../lib/admin/signing-keys';
import { mintToken } from '../../lib/admin/tokens';
import type { EdgeHandler } from '../../lib/dev/cloudfront-emulator';
import { loadEdgeHandler } from '../../lib/dev/dev-stack';
import { startStoreFaultProxy } from '../../lib/dev/store-fault-proxy';
import {
  BENCH_AUDIENCE,
  BENCH_ISSUER,
  BENCH_REGION,
  BENCH_TABLE,
  benchKeyEvent,
  benchToken,
  buildBenchAuthorizer,
} from '../harness/bench-authorizer';
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
  const grants = new EntitlementClient({ table: BENCH_TABLE, region: BENCH_REGION, endpoint: input.endpoint });
  const videoId = input.keyUri.split('/')[2];
  /** A token of a limited viewer, for one playback session or (no psid) none. */
  const sessionToken = (uid: string, sessionId?: string) =>
    mintToken({
      key,
      issuer: BENCH_ISSUER,
      audience: BENCH_AUDIENCE,
      uid,
      ttlSeconds: 3600,
      nowSeconds: Date.now() / 1000,
      ...(sessionId ? { session: { id: sessionId, claim: 'psid' } } : {}),
    });
  const ask = async (handler: EdgeHandler, uid: string, token = tokens.get(uid)) => {
    const started = process.hrtime.bigint();
    const result = await handler(benchKeyEvent(input.keyUri, ['Authorization', `Bearer ${token}`]));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!('status' in result)) return { served: true, unavailable: false, ms, answer: '200' };
    const header = (name: string) => result.headers[name]?.[0]?.value;
    const answer = `${result.status} ${header('x-keygate-reason')}`;
    return { served: false, unavailable: result.status === '503' && header('retry-after') !== undefined, ms, answer };
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
        if (!before.every((r) => r.served)) {
          throw new Error(
            `degraded ${fault}: a granted viewer was refused while the store was up (${before.map((r) => r.answer).join(', ')})`,
          );
        }
        // Viewers on a plan of one stream: one session plays; a second session and a token without psid are refused.
        const limited = Array.from({ length: input.limitedViewers }, (_, i) => {
          const uid = `lim-${fault}-${graceSeconds}-${i}`;
          return {
            uid,
            playing: sessionToken(uid, `${uid}-playing`),
            others: [sessionToken(uid, `${uid}-second`), sessionToken(uid), sessionToken(uid, `${uid}-fresh`)],
          };
        });
        await grants.putAll(limited.map(({ uid }) => grantItem({ uid, videoId, maxStreams: 1 }, Date.now() / 1000)));
        for (const viewer of limited) {
          // One after the other: the playing session's lease is written before the second session asks.
          const answers = [];
          for (const token of [viewer.playing, ...viewer.others.slice(0, 2)]) answers.push(await ask(handler, viewer.uid, token));
          if (!answers[0].served || answers[1].served || answers[2].served) {
            throw new Error(
              `degraded ${fault}: the one-stream plan was not enforced while the store was up (${answers.map((r) => r.answer).join(', ')})`,
            );
          }
        }
        // Wait (in real time: this is a separate process with the real clock) for the allows to expire.
        await sleep(ALLOW_TTL_SECONDS * 1000 + 100);
        proxy.setFault(fault);
        // Every viewer arrives during the outage at once, as players do; none shares a lookup.
        const [recentResults, otherResults, limitedPlaying, limitedOthers] = await Promise.all([
          Promise.all(recent.map((uid) => ask(handler, uid))),
          Promise.all(others.map((uid) => ask(handler, uid))),
          Promise.all(limited.map((viewer) => ask(handler, viewer.uid, viewer.playing))),
          Promise.all(limited.flatMap((viewer) => viewer.others.map((token) => ask(handler, viewer.uid, token)))),
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
          limitedViewers: limited.length,
          limitedPlayingServed: limitedPlaying.filter((r) => r.served).length,
          limitedOthersAsked: limitedOthers.length,
          limitedOthersServed: limitedOthers.filter((r) => r.served).length,
        });
      }
    }
  } finally {
    grants.destroy();
    await proxy.close();
  }
  return { value: rows };
});

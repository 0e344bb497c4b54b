import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  authorizeKeyRequest,
  type AuthorizerConfig,
  createAuthorizerDeps,
  type DecisionLogEntry,
} from '../../lambda/key-authorizer/contract';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { mintToken } from '../../lib/admin/tokens';
import { TwoReplicaGlobalTable } from '../../lib/dev/global-table-model';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../lib/dev/local-dynamodb';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_LEASE_TABLE, BENCH_TABLE, benchAuthorizerConfig } from '../harness/bench-authorizer';
import { percentile } from '../harness/stats';
import { streamLimitCost, type StreamLimitCostRow } from './cost';

/**
 * Measurement 8: what stream limits cost. The authorizer's own modules (the code the bundle is built
 * from) over real DynamoDB APIs (dynalite, one per replica region), driven by a virtual clock so an
 * hour of playback or a replication lag takes milliseconds: every DynamoDB operation is counted at
 * the server; latencies are real.
 */

const EAST = 'us-east-1';
const WEST = 'eu-west-1';

export const STREAM_LATENCY_CASES = ['unlimited-hit', 'limited-renewal', 'limited-start'] as const;
export type StreamLatencyCase = (typeof STREAM_LATENCY_CASES)[number];

export interface RaceRow {
  lagSeconds: number;
  limit: number;
  devices: number;
  /** The most devices playing at once, and how many over the limit. */
  maxPlaying: number;
  extraStreams: number;
  /** How long more than `limit` devices held a key (virtual seconds from the start). */
  overshootSeconds: number;
  playingAtEnd: number;
}

export interface StreamLimitResults {
  settings: { keyWindowSeconds: number; leaseSeconds: number; settleSeconds: number; allowTtlSeconds: number; playbackSeconds: number };
  operationsPerPlayback: Record<'off' | 'on', Record<string, number>>;
  cost: StreamLimitCostRow[];
  latency: Record<StreamLatencyCase, { n: number; p50Us: number; p99Us: number; unexpected: number }>;
  race: RaceRow[];
}

interface Clock {
  ms: number;
}

/** One edge container in `region`, reading and writing the replica there, on the virtual clock. */
function edgeContainer(config: AuthorizerConfig, region: string, clock: Clock) {
  let last: DecisionLogEntry | undefined;
  const deps = createAuthorizerDeps(config, region, { now: () => clock.ms, log: (entry) => (last = entry) });
  return async (uri: string, token: string): Promise<{ allowed: boolean; entry: DecisionLogEntry }> => {
    const outcome = await authorizeKeyRequest(
      { method: 'GET', uri, querystring: '', headers: { authorization: [`Bearer ${token}`] } },
      deps,
    );
    return { allowed: outcome.kind === 'forward', entry: last as DecisionLogEntry };
  };
}

function twoRegionConfig(base: AuthorizerConfig, east: LocalDynamoDb, west: LocalDynamoDb): AuthorizerConfig {
  const { endpoint: _single, ...rest } = base;
  return {
    ...rest,
    replicaRegions: [EAST, WEST],
    replicaPreference: { [EAST]: [EAST, WEST], [WEST]: [WEST, EAST] },
    replicaEndpoints: { [EAST]: east.endpoint, [WEST]: west.endpoint },
  };
}

async function grantPlan(clients: DynamoDBClient[], uid: string, maxStreams: number | undefined, nowSeconds: number) {
  for (const client of clients) {
    await client.send(
      new PutItemCommand({
        TableName: BENCH_TABLE,
        Item: {
          uid: { S: uid },
          sk: { S: '*' },
          grantedAt: { N: String(nowSeconds) },
          ...(maxStreams === undefined ? {} : { maxStreams: { N: String(maxStreams) } }),
        },
      }),
    );
  }
}

const tokenFor = (key: SigningKey, uid: string, sessionId: string) =>
  mintToken({
    key,
    issuer: BENCH_ISSUER,
    audience: BENCH_AUDIENCE,
    uid,
    ttlSeconds: 12 * 3600,
    session: { id: sessionId, claim: 'psid' },
    nowSeconds: Date.now() / 1000,
  });

export async function benchStreamLimits(
  key: SigningKey,
  options: { playbackSeconds: number; latencyRequests: number; raceLagsSeconds: number[]; raceLimits: number[] },
): Promise<StreamLimitResults> {
  const operations = { east: [] as string[], west: [] as string[] };
  const east = await startLocalDynamoDb({ onRequest: (op) => operations.east.push(op) });
  const west = await startLocalDynamoDb({ onRequest: (op) => operations.west.push(op) });
  const eastClient = localDynamoDbClient(east.endpoint, EAST);
  const westClient = localDynamoDbClient(west.endpoint, WEST);
  try {
    const tables = { tableName: BENCH_TABLE, leaseTableName: BENCH_LEASE_TABLE };
    await ensureKeygateTables(eastClient, tables);
    await ensureKeygateTables(westClient, tables);
    // The deployable defaults: 4 s segments, a key every 10, so 40 s windows and 80 s leases; 30 s allow TTL.
    const deployed = twoRegionConfig(benchAuthorizerConfig(east.endpoint, key), east, west);
    const keyWindowSeconds = deployed.streams.leaseSeconds / 2;
    const clock: Clock = { ms: Date.now() };
    const nowSeconds = () => Math.floor(clock.ms / 1000);

    // Cost: one playback of `playbackSeconds`, one key request per window (the kit's one request per key URI).
    const operationsPerPlayback = {} as StreamLimitResults['operationsPerPlayback'];
    for (const limits of ['off', 'on'] as const) {
      const uid = `cost-${limits}`;
      await grantPlan([eastClient], uid, limits === 'on' ? 2 : undefined, nowSeconds());
      const edge = edgeContainer(deployed, EAST, clock);
      const token = tokenFor(key, uid, `cost-session-${limits}`);
      operations.east.length = 0;
      for (let window = 0; window * keyWindowSeconds < options.playbackSeconds; window++) {
        const { allowed } = await edge(`/keys/movie/${window}.key`, token);
        if (!allowed) throw new Error(`cost playback (limits ${limits}) was refused at window ${window}`);
        clock.ms += keyWindowSeconds * 1000;
      }
      operationsPerPlayback[limits] = countBy(operations.east);
    }
    const cost = streamLimitCost(operationsPerPlayback, options.playbackSeconds, deployed.replicaRegions.length);

    // Latency: a warm container with records cached (allow TTL of an hour) so the cases differ only by the lease.
    const latencyConfig = { ...deployed, cache: { ...deployed.cache, allowTtlSeconds: 3600 } };
    const latency = await measureLatency(latencyConfig, key, eastClient, clock, keyWindowSeconds, options.latencyRequests);

    // The two-region race: devices of one viewer start in the same second in two regions.
    const race: RaceRow[] = [];
    for (const limit of options.raceLimits) {
      for (const lagSeconds of options.raceLagsSeconds) {
        race.push(await raceOnce(deployed, key, [eastClient, westClient], clock, { limit, lagSeconds, keyWindowSeconds }));
      }
    }
    return {
      settings: {
        keyWindowSeconds,
        leaseSeconds: deployed.streams.leaseSeconds,
        settleSeconds: deployed.streams.settleSeconds,
        allowTtlSeconds: deployed.cache.allowTtlSeconds,
        playbackSeconds: options.playbackSeconds,
      },
      operationsPerPlayback,
      cost,
      latency,
      race,
    };
  } finally {
    eastClient.destroy();
    westClient.destroy();
    await east.close();
    await west.close();
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function measureLatency(
  config: AuthorizerConfig,
  key: SigningKey,
  client: DynamoDBClient,
  clock: Clock,
  keyWindowSeconds: number,
  requests: number,
): Promise<StreamLimitResults['latency']> {
  const edge = edgeContainer(config, EAST, clock);
  const rounds = 4;
  const perRound = Math.ceil(requests / rounds);
  const now = () => Math.floor(clock.ms / 1000);
  await grantPlan([client], 'lat-free', undefined, now());
  // One viewer whose plan admits every measured session at once (renewals), and fresh viewers for starts.
  await grantPlan([client], 'lat-plan', 1000, now());
  const freeToken = tokenFor(key, 'lat-free', 'lat-free-session');
  const renewTokens = Array.from({ length: perRound }, (_, i) => tokenFor(key, 'lat-plan', `lat-renew-${i}`));
  const startTokens: string[] = [];
  for (let i = 0; i < perRound * rounds; i++) {
    await grantPlan([client], `lat-start-${i}`, 2, now());
    startTokens.push(tokenFor(key, `lat-start-${i}`, `lat-start-session-${i}`));
  }
  // Warm-up, untimed: the records cached, every renewal session started and past its settle check.
  await edge('/keys/movie/0.key', freeToken);
  for (const token of renewTokens) await edge('/keys/movie/0.key', token);
  clock.ms += keyWindowSeconds * 1000;
  for (const token of renewTokens) await edge('/keys/movie/1.key', token);

  const samples: Record<StreamLatencyCase, number[]> = { 'unlimited-hit': [], 'limited-renewal': [], 'limited-start': [] };
  const unexpected: Record<StreamLatencyCase, number> = { 'unlimited-hit': 0, 'limited-renewal': 0, 'limited-start': 0 };
  const expectedLease: Record<StreamLatencyCase, string | undefined> = {
    'unlimited-hit': undefined,
    'limited-renewal': 'renewed',
    'limited-start': 'started',
  };
  const time = async (c: StreamLatencyCase, token: string, uri: string) => {
    const started = process.hrtime.bigint();
    const { allowed, entry } = await edge(uri, token);
    samples[c].push(Number(process.hrtime.bigint() - started) / 1000);
    if (!allowed || entry.lease !== expectedLease[c]) unexpected[c]++;
  };
  let nextStart = 0;
  for (let round = 0; round < rounds; round++) {
    // A key window later: every session's renewal is due, none is "recent".
    clock.ms += keyWindowSeconds * 1000;
    const uri = `/keys/movie/${round + 2}.key`;
    for (let i = 0; i < perRound; i++) {
      await time('unlimited-hit', freeToken, uri);
      await time('limited-renewal', renewTokens[i], uri);
      await time('limited-start', startTokens[nextStart++], uri);
    }
  }
  const result = {} as StreamLimitResults['latency'];
  for (const c of STREAM_LATENCY_CASES) {
    result[c] = { n: samples[c].length, p50Us: percentile(samples[c], 50), p99Us: percentile(samples[c], 99), unexpected: unexpected[c] };
  }
  return result;
}

/**
 * `limit + 1` devices of one viewer start in the same second, alternating between two regions whose
 * replicas exchange their writes every `lagSeconds` (a modelled global table: last writer wins per
 * item). Each device asks for a key every window until it is refused, as the player kit does.
 */
async function raceOnce(
  config: AuthorizerConfig,
  key: SigningKey,
  clients: [DynamoDBClient, DynamoDBClient],
  clock: Clock,
  run: { limit: number; lagSeconds: number; keyWindowSeconds: number },
): Promise<RaceRow> {
  // Ids allow no '.': a lag of 0.5 s is spelled 0_5 (a dotted session id is a bad token, which refused every device).
  const uid = `race-${run.limit}-${String(run.lagSeconds).replace('.', '_')}`;
  // The grants are written to both replicas; the leases the devices write replicate with the lag.
  const table = new TwoReplicaGlobalTable(clients[0], clients[1], BENCH_LEASE_TABLE);
  await grantPlan(clients, uid, run.limit, Math.floor(clock.ms / 1000));
  await table.replicate();
  const edges: Record<string, ReturnType<typeof edgeContainer>> = {
    [EAST]: edgeContainer(config, EAST, clock),
    [WEST]: edgeContainer(config, WEST, clock),
  };
  const devices = Array.from({ length: run.limit + 1 }, (_, i) => ({
    region: i % 2 === 0 ? EAST : WEST,
    token: tokenFor(key, uid, `${uid}-device-${i}`),
    playing: false,
    stopped: false,
    nextKeyAt: 0,
    window: 0,
  }));
  const stepMs = 500;
  const endMs = 12 * run.keyWindowSeconds * 1000;
  let maxPlaying = 0;
  let overshootUntilMs = 0;
  let nextReplicationMs = run.lagSeconds * 1000;
  const startMs = clock.ms;
  for (let t = 0; t <= endMs; t += stepMs) {
    clock.ms = startMs + t;
    if (t >= nextReplicationMs) {
      await table.replicate();
      nextReplicationMs += run.lagSeconds * 1000;
    }
    for (const device of devices) {
      if (device.stopped || t < device.nextKeyAt) continue;
      const { allowed, entry } = await edges[device.region](`/keys/movie/${device.window++}.key`, device.token);
      // The race measures the limit: any other refusal is a broken simulation, not a result.
      if (!allowed && entry.reason !== 'stream-limit') throw new Error(`race device refused ${entry.reason}, not stream-limit`);
      device.playing = allowed;
      device.stopped = !allowed;
      device.nextKeyAt = t + run.keyWindowSeconds * 1000;
    }
    const playing = devices.filter((d) => d.playing).length;
    maxPlaying = Math.max(maxPlaying, playing);
    if (playing > run.limit) overshootUntilMs = t + stepMs;
  }
  return {
    lagSeconds: run.lagSeconds,
    limit: run.limit,
    devices: devices.length,
    maxPlaying,
    extraStreams: maxPlaying - run.limit,
    overshootSeconds: overshootUntilMs / 1000,
    playingAtEnd: devices.filter((d) => d.playing).length,
  };
}

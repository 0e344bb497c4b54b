import { round } from './harness/stats';
import type { BenchResults } from './run-bench';
import { UNIT_PRICES, WRITE_UNIT_PRICE } from './suites/cost';
import { STREAM_LATENCY_CASES, type StreamLatencyCase } from './suites/stream-limits';

const LABELS: Record<StreamLatencyCase, string> = {
  'unlimited-hit': 'no limit: JWT + cached records (no lease)',
  'limited-renewal': 'limited: JWT + cached records + lease renewal (one conditional UpdateItem)',
  'limited-start': 'limited, new session: failed renewal + Query of the leases + conditional PutItem',
};

export const table = (header: string[], rows: (string | number)[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
export const int = (value: number) => Math.round(value).toLocaleString('en-US');

/** Section 8: stream limits, from bench/suites/stream-limits.ts. */
export function streamLimitsSection({ streamLimits: s }: BenchResults): string[] {
  const { settings } = s;
  const ops = (limits: 'off' | 'on') =>
    Object.entries(s.operationsPerPlayback[limits])
      .map(([op, n]) => `${n} ${op}`)
      .join(', ');
  return [
    '## 8. Stream limits',
    '',
    `The authorizer's modules over dynalite (one server per replica region), on a virtual clock: key windows of ${settings.keyWindowSeconds} s, ` +
      `leases of ${settings.leaseSeconds} s, settle check after ${settings.settleSeconds} s, allow TTL ${settings.allowTtlSeconds} s (the deployable defaults), ` +
      'one key request per window as the player kit makes. DynamoDB operations are counted at the server.',
    '',
    `One ${settings.playbackSeconds} s playback made, limits off: ${ops('off')}; limits on: ${ops('on')}.`,
    '',
    `Per 1,000 playback-hours (read units: BatchGetItem 3 × ½, the strongly consistent lease Query 1; every write 1 unit, a failed conditional write included; ` +
      `replicated writes: one more per other replica region; USD at $${UNIT_PRICES.dynamodbReadRequestUnitPerMillion.usd} per million read units and $${WRITE_UNIT_PRICE.usdPerMillion} per million (replicated) write units):`,
    '',
    table(
      ['stream limits', 'store requests', 'read units', 'write units', 'write units, all replicas', 'USD (DynamoDB only)'],
      s.cost.map((c) => [
        c.limits,
        int(c.storeRequests),
        int(c.readUnits),
        int(c.writeUnits),
        int(c.replicatedWriteUnits),
        `$${c.usd.toFixed(3)}`,
      ]),
    ),
    '',
    "Key-request latency in one warm container (records cached), in process, dynalite on the same core (so the store part is this machine's dynalite, not DynamoDB):",
    '',
    table(
      ['case', 'n', 'p50 µs', 'p99 µs', 'unexpected'],
      STREAM_LATENCY_CASES.map((c) => [
        LABELS[c],
        s.latency[c].n,
        round(s.latency[c].p50Us),
        round(s.latency[c].p99Us),
        s.latency[c].unexpected,
      ]),
    ),
    '',
    'The two-region race: `limit + 1` devices of one viewer start in the same second, alternating between two regions whose replicas ' +
      'exchange writes every "lag" seconds (modelled: last writer wins per item). Each device asks for a key every window until refused.',
    '',
    table(
      ['limit', 'devices', 'replication lag s', 'most playing at once', 'extra streams', 'over the limit for s', 'playing at the end'],
      s.race.map((r) => [r.limit, r.devices, r.lagSeconds, r.maxPlaying, r.extraStreams, r.overshootSeconds, r.playingAtEnd]),
    ),
    '',
  ];
}

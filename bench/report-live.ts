import { round } from './harness/stats';
import { int, table } from './report-stream-limits';
import type { BenchResults } from './run-bench';
import { UNIT_PRICES } from './suites/cost';
import { DEFAULT_LIVE_KEY_WINDOW_SECONDS, type LiveDesign } from './suites/live';

const LABELS: Record<LiveDesign, string> = {
  keygate: 'Keygate (keys only)',
  'gate-everything': 'gate-everything (every playlist reload and segment)',
};

/** Section 9: live channels, from bench/suites/live.ts. */
export function liveSection({ live }: BenchResults): string[] {
  const minutes = (seconds: number) => `${round(seconds / 60)} min`;
  const viewer = (design: LiveDesign) => live.viewers.find((v) => v.design === design)!;
  const hour = (design: LiveDesign) => live.projection.find((p) => p.design === design)!;
  const cost = (design: LiveDesign) => live.cost.find((c) => c.design === design)!;
  const { keyProvider: kp } = live;
  return [
    '## 9. Live channels',
    '',
    `A live channel from \`keygate live\`'s packager (ffmpeg's test pattern, 2 renditions, ${live.keyWindowSeconds} s key windows for the bench, keys from Keygate's key provider over SPEKE v2.0 on loopback, as MediaPackage would ask) ` +
      `served by the same emulated distributions; one viewer in Chromium with hls.js watched it in real time for ${minutes(viewer('keygate').seconds)} through each design, one after the other. ` +
      `**Measured over minutes, extrapolated to an hour**: playlist and segment requests scale with time; key requests are the measured requests per key window times ` +
      `${3600 / DEFAULT_LIVE_KEY_WINDOW_SECONDS} windows (the default live key window is ${DEFAULT_LIVE_KEY_WINDOW_SECONDS} s); Keygate's DynamoDB reads are one per key request ` +
      "(a minute apart, the 30 s allow cache has expired); gate-everything's are its measured rate.",
    '',
    table(
      ['design', 'measured: key / playlist / segment requests', 'edge invocations', 'DynamoDB requests', 'played'],
      live.viewers.map((v) => [
        LABELS[v.design],
        `${v.keyRequests} (${v.keyWindows} windows) / ${v.playlistRequests} / ${v.segmentRequests}`,
        v.edgeInvocations,
        v.dynamodbRequests,
        v.played ? 'yes' : '**no**',
      ]),
    ),
    '',
    'One live viewer-hour, extrapolated:',
    '',
    table(
      ['design', 'key requests', 'playlist reloads', 'segments', 'edge invocations', 'DynamoDB requests'],
      live.projection.map((p) => [
        LABELS[p.design],
        int(p.keyRequests),
        int(p.playlistRequests),
        int(p.segmentRequests),
        int(p.edgeInvocations),
        int(p.dynamodbRequests),
      ]),
    ),
    '',
    `Per 1,000 live viewer-hours (same model and unit prices as section 7, as of ${UNIT_PRICES.asOf}): Keygate ${int(cost('keygate').edgeRequests)} Lambda@Edge requests, ` +
      `$${cost('keygate').usdWorstCase.toFixed(2)}; gate-everything ${int(cost('gate-everything').edgeRequests)}, $${cost('gate-everything').usdWorstCase.toFixed(2)} ` +
      `(worst case: every invocation reads the table). A live player reloads each playlist every target duration, so gate-everything pays ` +
      `${round(hour('gate-everything').edgeInvocations / Math.max(1, hour('keygate').edgeInvocations))}× Keygate's invocations.`,
    '',
    `Key provider: ${kp.requests} SPEKE requests and ${kp.keysCreated} keys created for ${kp.periodsPublished} key periods published in ${round(kp.channelSeconds)} s (one request and one store write per period, none repeated); ` +
      `at the default window a channel makes ${3600 / DEFAULT_LIVE_KEY_WINDOW_SECONDS} key-provider calls per hour, whatever its audience.`,
    '',
    'Packager CPU (ffmpeg, libx264 veryfast + AAC, the 640×360 test pattern in real time; CPU seconds per second, so 1.0 is a whole core):',
    '',
    table(
      ['renditions', 'CPU', 'added by the last rendition'],
      live.cpu.map((c, i) => [
        c.renditions.join(' + '),
        round(c.cpuSecondsPerSecond),
        i === 0 ? round(c.cpuSecondsPerSecond) : round(c.cpuSecondsPerSecond - live.cpu[i - 1].cpuSecondsPerSecond),
      ]),
    ),
    '',
  ];
}

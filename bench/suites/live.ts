import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { FolderLiveOrigin } from '../../lib/live/folder-live-origin';
import { LiveChannel } from '../../lib/live/live-channel';
import { liveEncoderArgs, startEncoderRun } from '../../lib/live/live-encoder';
import { FolderLiveKeyStore } from '../../lib/live/folder-live-key-store';
import { startLocalKeyProvider } from '../../lib/live/local-key-provider';
import { planLadder } from '../../lib/media/ladder';
import { BENCH_COOKIE, benchToken } from '../harness/bench-authorizer';
import type { World } from '../harness/world';
import { costModel, type CostRow } from './cost';

export const LIVE_DESIGNS = ['keygate', 'gate-everything'] as const;
export type LiveDesign = (typeof LIVE_DESIGNS)[number];

export interface LiveBenchOptions {
  /** Real-time seconds one viewer watches, per design. */
  playSeconds: number;
  /** The bench channel's key window, in 2 s segments: shorter than the default so a few minutes see several keys. */
  rotateEvery: number;
  /** Real-time seconds each ladder is encoded for the CPU measurement. */
  cpuSeconds: number;
}

/** A deployment's default key window for live: one key a minute (`keygate live` defaults: 2 s segments, a key every 30). */
export const DEFAULT_LIVE_KEY_WINDOW_SECONDS = 60;
const SEGMENT_SECONDS = 2;
const CHANNEL = 'live-bench';

export interface LiveViewerRun {
  design: LiveDesign;
  seconds: number;
  edgeInvocations: number;
  keyRequests: number;
  /** Distinct key URIs the viewer asked for: the key windows it played. */
  keyWindows: number;
  playlistRequests: number;
  segmentRequests: number;
  /** Every request of the media behaviors, the page's favicon included. */
  mediaRequests: number;
  dynamodbRequests: number;
  played: boolean;
}

/** ffmpeg's CPU per second of real time, encoding `renditions` of the test pattern. */
export interface LiveCpuRun {
  renditions: string[];
  cpuSecondsPerSecond: number;
}

/** utime + stime of a process, in seconds (Linux /proc; clock ticks are 1/100 s). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function watchFor(browser: Browser, url: string, uid: string, key: SigningKey, seconds: number): Promise<boolean> {
  const context = await browser.newContext();
  try {
    await context.addCookies([{ name: BENCH_COOKIE, value: benchToken(key, uid), domain: new URL(url).hostname, path: '/' }]);
    const page = await context.newPage();
    await page.goto(url, { timeout: 120_000 });
    await page.evaluate(
      (id) => (window as unknown as { playVideo: (id: string, o: unknown) => void }).playVideo(id, { playbackRate: 1 }),
      CHANNEL,
    );
    const playing = () =>
      page.evaluate(() => (window as unknown as { keygate: { video: HTMLVideoElement | null } }).keygate.video?.currentTime ?? 0);
    await delay(seconds * 1000);
    const fatal = await page.evaluate(() => (window as unknown as { keygate: { fatal: unknown } }).keygate.fatal);
    return fatal === null && (await playing()) > seconds / 2;
  } finally {
    await context.close();
  }
}

/** Encodes the test pattern at each ladder for `seconds` and reads ffmpeg's CPU time just before it stops. */
async function measureEncoderCpu(workDir: string, seconds: number): Promise<LiveCpuRun[]> {
  const ladders = [['360p'], ['360p', '240p'], ['360p', '240p', '180p']];
  const runs: LiveCpuRun[] = [];
  for (const ladder of ladders) {
    const renditions = planLadder(ladder, 640, 360);
    const dir = mkdtempSync(join(workDir, 'live-cpu-'));
    try {
      const args = liveEncoderArgs({ kind: 'test', width: 640, height: 360 }, renditions, true, SEGMENT_SECONDS, dir);
      const run = startEncoderRun(args, ladder, dir, () => {});
      await delay(1000);
      const start = processCpuSeconds(run.pid as number);
      await delay(seconds * 1000);
      const used = processCpuSeconds(run.pid as number) - start;
      run.stop();
      await run.exited;
      runs.push({ renditions: ladder, cpuSecondsPerSecond: used / seconds });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}

/**
 * Measurement 9: a live channel (the test pattern, 2 renditions, `keygate live`'s packager, keys from
 * the key provider over SPEKE on loopback) served by the world's Keygate and gate-everything distributions; one viewer
 * in Chromium with hls.js watches it in real time through each, one after the other; then ffmpeg's
 * CPU per rendition. Minutes are measured; hours are extrapolated (see liveProjection).
 */
export async function benchLive(
  world: World,
  browser: Browser,
  key: SigningKey,
  originDir: string,
  workDir: string,
  options: LiveBenchOptions,
) {
  const origin = new FolderLiveOrigin(originDir);
  const provider = await startLocalKeyProvider({ store: new FolderLiveKeyStore(originDir), channels: [CHANNEL] });
  const channel = await LiveChannel.start({
    channel: CHANNEL,
    input: { kind: 'test', width: 320, height: 180 },
    ladder: ['180p', '144p'],
    segmentSeconds: SEGMENT_SECONDS,
    rotateEvery: options.rotateEvery,
    windowSegments: 6,
    origin,
    keys: provider.keys,
  }).catch(async (error: unknown) => {
    await provider.close();
    throw error;
  });
  const channelStarted = Date.now();
  const viewers: LiveViewerRun[] = [];
  try {
    while (channel.status().segments < 3) await delay(200);
    for (const design of LIVE_DESIGNS) {
      const uid = `live-${design}-${Date.now()}`;
      await world.grant([{ uid, videoId: CHANNEL, keyUris: [] }]);
      await world.reset();
      const played = await watchFor(browser, world.urls[design], uid, key, options.playSeconds);
      const stats = await world.stats(design);
      const count = (suffix: string) =>
        Object.entries(stats.mediaCacheKeys)
          .filter(([path]) => path.endsWith(suffix))
          .reduce((sum, [, n]) => sum + n, 0);
      viewers.push({
        design,
        seconds: options.playSeconds,
        edgeInvocations: stats.edgeInvocations,
        keyRequests: stats.requests.keys,
        keyWindows: new Set(stats.keyRequests.map((k) => k.uri)).size,
        playlistRequests: count('.m3u8'),
        segmentRequests: count('.ts'),
        mediaRequests: stats.requests.media,
        dynamodbRequests: await world.dynamodbRequests(),
        played: played && stats.keyRequests.every((k) => k.status === 200),
      });
    }
  } finally {
    await channel.stop();
    await provider.close();
  }
  const channelSeconds = (Date.now() - channelStarted) / 1000;
  const status = channel.status();
  const cpu = await measureEncoderCpu(workDir, options.cpuSeconds);
  return {
    keyWindowSeconds: SEGMENT_SECONDS * options.rotateEvery,
    viewers,
    keyProvider: { ...provider.counts(), periodsPublished: Math.ceil(status.segments / options.rotateEvery), channelSeconds },
    cpu,
  };
}

export type LiveBenchResult = Awaited<ReturnType<typeof benchLive>>;

export interface LiveHourProjection {
  design: LiveDesign;
  keyRequests: number;
  playlistRequests: number;
  segmentRequests: number;
  edgeInvocations: number;
  dynamodbRequests: number;
}

/**
 * One live viewer-hour at the default key window (a key a minute), extrapolated from the minutes
 * measured: playlist and segment requests scale with time as measured; key requests are the measured
 * requests per key window times 60 windows; Keygate runs its edge function on keys only, and each key
 * request reads the table once (a minute apart, the 30 s allow cache has expired); gate-everything runs
 * it on every request, and its reads are the measured rate (its cache keeps a viewer for 30 s).
 */
export function liveProjection(result: LiveBenchResult): LiveHourProjection[] {
  return result.viewers.map((v) => {
    const hour = 3600 / v.seconds;
    const keyRequests = (v.keyRequests / Math.max(1, v.keyWindows)) * (3600 / DEFAULT_LIVE_KEY_WINDOW_SECONDS);
    const playlistRequests = v.playlistRequests * hour;
    const segmentRequests = v.segmentRequests * hour;
    const keygate = v.design === 'keygate';
    return {
      design: v.design,
      keyRequests,
      playlistRequests,
      segmentRequests,
      // gate-everything runs on every media request too (playlists, segments, and what else the page asks).
      edgeInvocations: keygate ? keyRequests : keyRequests + (v.edgeInvocations - v.keyRequests) * hour,
      dynamodbRequests: keygate ? keyRequests : v.dynamodbRequests * hour,
    };
  });
}

/** The cost of 1,000 live viewer-hours, by the same model and dated prices as section 7. */
export function liveCost(projection: LiveHourProjection[], billedMs: number): CostRow[] {
  return costModel(
    projection.map((p) => ({ design: p.design, seconds: 3600, edgeInvocations: p.edgeInvocations, dynamodbRequests: p.dynamodbRequests })),
    billedMs,
  );
}

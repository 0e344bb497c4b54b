import type { Browser } from 'playwright-core';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { BENCH_COOKIE, benchToken } from '../harness/bench-authorizer';
import type { BenchVideo } from '../harness/media';
import { interleaved, median } from '../harness/stats';
import type { World } from '../harness/world';
import type { Design } from '../harness/world-types';

export const PLAYBACK_DESIGNS = ['keygate', 'gate-everything', 'seed'] as const satisfies readonly Design[];
export type PlaybackDesign = (typeof PLAYBACK_DESIGNS)[number];

export interface PlaybackRun {
  design: PlaybackDesign;
  videoId: string;
  seconds: number;
  /** Edge function invocations on any behavior. */
  edgeInvocations: number;
  keyRequests: number;
  /** Playlist and segment requests. */
  mediaRequests: number;
  dynamodbRequests: number;
  /** Forced rendition switches made during the playback. */
  switches: number;
  /** Every key request was answered 200 and the video played to its end. */
  completed: boolean;
  wallMs: number;
}

export interface PlaybackOptions {
  rounds: number;
  playbackRate: number;
  /** Media seconds between forced switches (hls.currentLevel: flush and refetch at the new rendition). */
  switchEverySeconds: number;
}

interface PageBench {
  switches: number;
  ended: boolean;
  fatal: unknown;
}

async function playOnce(browser: Browser, url: string, video: BenchVideo, uid: string, key: SigningKey, options: PlaybackOptions) {
  // A fresh context per playback: Chromium's HTTP cache must not serve a replay.
  const context = await browser.newContext();
  try {
    const { hostname } = new URL(url);
    await context.addCookies([
      { name: BENCH_COOKIE, value: benchToken(key, uid), domain: hostname, path: '/' },
      { name: 'uid', value: uid, domain: hostname, path: '/' },
    ]);
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate(
      ({ id, rate, every }) => {
        const w = window as unknown as {
          playVideo: (id: string, o: unknown) => void;
          keygate: { hls: { currentLevel: number; levels: unknown[] }; fatal: unknown };
          bench: PageBench;
        };
        const bench: PageBench = { switches: 0, ended: false, fatal: null };
        w.bench = bench;
        const element = document.getElementById('video') as HTMLVideoElement;
        let nextSwitch = every;
        element.addEventListener('playing', () => (element.playbackRate = rate));
        element.addEventListener('ended', () => (bench.ended = true));
        element.addEventListener('timeupdate', () => {
          const hls = w.keygate.hls;
          if (element.currentTime < nextSwitch || !hls || hls.levels.length < 2) return;
          nextSwitch += every;
          hls.currentLevel = (Math.max(0, hls.currentLevel) + 1) % hls.levels.length;
          bench.switches++;
        });
        w.playVideo(id, { hlsConfig: { startLevel: 0, maxBufferLength: 6, maxMaxBufferLength: 12 } });
        element.playbackRate = rate;
      },
      { id: video.id, rate: options.playbackRate, every: options.switchEverySeconds },
    );
    const timeout = 60_000 + (video.seconds / options.playbackRate) * 4_000;
    await page.waitForFunction(
      () => {
        const w = window as unknown as { bench: PageBench; keygate: { fatal: unknown } };
        return w.bench.ended || w.keygate.fatal !== null;
      },
      undefined,
      { timeout, polling: 250 },
    );
    return await page.evaluate(() => {
      const w = window as unknown as { bench: PageBench; keygate: { fatal: unknown } };
      return { switches: w.bench.switches, ended: w.bench.ended, fatal: w.keygate.fatal };
    });
  } finally {
    await context.close();
  }
}

/**
 * Measurement 1: plays each video to its end in Chromium with hls.js through each design's
 * emulated distribution, forcing rendition switches, and counts what each design costs.
 */
export async function benchPlayback(
  world: World,
  browser: Browser,
  key: SigningKey,
  videos: BenchVideo[],
  options: PlaybackOptions,
  onRun: (run: PlaybackRun) => void = () => {},
): Promise<PlaybackRun[]> {
  const variants = videos.flatMap((video) => PLAYBACK_DESIGNS.map((design) => `${design}|${video.id}`));
  const runs = await interleaved(variants, options.rounds, async (variant, round) => {
    const [design, videoId] = variant.split('|') as [PlaybackDesign, string];
    const video = videos.find((v) => v.id === videoId)!;
    // A new viewer per playback: its first key request is a cache miss in every design.
    const uid = `pb-${design}-${video.seconds}s-${round}`;
    await world.grant([{ uid, videoId: video.id, keyUris: video.keyUris }]);
    await world.reset();
    const started = performance.now();
    const page = await playOnce(browser, world.urls[design], video, uid, key, options);
    const wallMs = performance.now() - started;
    const stats = await world.stats(design);
    const run: PlaybackRun = {
      design,
      videoId,
      seconds: video.seconds,
      edgeInvocations: stats.edgeInvocations,
      keyRequests: stats.requests.keys,
      mediaRequests: stats.requests.media,
      dynamodbRequests: await world.dynamodbRequests(),
      switches: page.switches,
      completed: page.ended && page.fatal === null && stats.keyRequests.every((k) => k.status === 200),
      wallMs,
    };
    onRun(run);
    return run;
  });
  return Object.values(runs).flat();
}

/** Per design and length, the median of each count over the rounds. */
export function summarizePlayback(runs: PlaybackRun[]) {
  const keys = [...new Set(runs.map((r) => `${r.design}|${r.seconds}`))];
  return keys.map((k) => {
    const group = runs.filter((r) => `${r.design}|${r.seconds}` === k);
    const m = (f: (r: PlaybackRun) => number) => median(group.map(f));
    return {
      design: group[0].design,
      seconds: group[0].seconds,
      edgeInvocations: m((r) => r.edgeInvocations),
      keyRequests: m((r) => r.keyRequests),
      mediaRequests: m((r) => r.mediaRequests),
      dynamodbRequests: m((r) => r.dynamodbRequests),
      switches: m((r) => r.switches),
      allCompleted: group.every((r) => r.completed),
      runs: group.length,
    };
  });
}

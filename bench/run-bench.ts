import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '../lib/admin/signing-keys';
import { STORE_FAULTS, type StoreFault } from '../lib/dev/store-fault-proxy';
import { launchChromium } from './harness/chromium';
import { prepareVideos } from './harness/media';
import { startWorld } from './harness/world';
import { benchColdStart } from './suites/cold-start';
import { benchDegraded } from './suites/degraded';
import { costModel } from './suites/cost';
import { benchNativePlayback, summarizeNativePlayback } from './suites/native-playback';
import { benchLatency } from './suites/latency';
import { benchLive, liveCost, liveProjection } from './suites/live';
import { benchMemory } from './suites/memory';
import { benchPackaging } from './suites/packaging';
import { benchProviderLatency } from './suites/provider-latency';
import { benchRevocation } from './suites/revocation';
import { benchPlayback, summarizePlayback } from './suites/playback';
import { profileThroughput } from './suites/profile';
import { benchStreamLimits } from './suites/stream-limits';
import { benchThroughput } from './suites/throughput';

/** Sizes of each measurement: the in full, tiny in quick mode (CI: the harness must not rot). */
export const SIZES = {
  full: {
    playback: { lengths: [30, 60, 120], segmentSeconds: 2, rotateEvery: 10, rounds: 2, playbackRate: 8, switchEverySeconds: 10 },
    latency: { requestsPerCase: 10_000, rounds: 10 },
    providerLatency: { requestsPerCase: 5_000, rounds: 5, coldContainers: 30 },
    degraded: { viewers: 100, faults: [...STORE_FAULTS], graces: [0, 60], limitedViewers: 20 },
    throughput: { viewers: 1000, videos: 100, keysPerVideo: 10, connections: 50, durationSeconds: 5, rounds: 3 },
    coldStart: { processes: 20 },
    memory: { decisions: 100_000, cacheMaxEntries: undefined as number | undefined },
    packaging: { seconds: 60, rounds: 5 },
    streamLimits: { playbackSeconds: 3600, latencyRequests: 2000, raceLagsSeconds: [0.5, 1, 5, 60], raceLimits: [1, 2] },
    revocation: { titleSeconds: 120, segmentSeconds: 2, rotateEvery: 4, playbackRate: 1, revokeAtSeconds: 30, watchSeconds: 60 },
    live: { playSeconds: 60, rotateEvery: 5, cpuSeconds: 12 },
  },
  quick: {
    playback: { lengths: [8, 16], segmentSeconds: 2, rotateEvery: 10, rounds: 1, playbackRate: 8, switchEverySeconds: 4 },
    latency: { requestsPerCase: 200, rounds: 2 },
    providerLatency: { requestsPerCase: 100, rounds: 1, coldContainers: 2 },
    degraded: { viewers: 5, faults: ['blackhole', 'throttling'] as Exclude<StoreFault, 'pass'>[], graces: [0, 60], limitedViewers: 2 },
    throughput: { viewers: 100, videos: 10, keysPerVideo: 4, connections: 10, durationSeconds: 1, rounds: 1 },
    coldStart: { processes: 2 },
    memory: { decisions: 3000, cacheMaxEntries: 1000 as number | undefined },
    packaging: { seconds: 4, rounds: 1 },
    streamLimits: { playbackSeconds: 600, latencyRequests: 60, raceLagsSeconds: [0.5, 60], raceLimits: [2] },
    revocation: { titleSeconds: 40, segmentSeconds: 2, rotateEvery: 4, playbackRate: 4, revokeAtSeconds: 8, watchSeconds: 10 },
    live: { playSeconds: 12, rotateEvery: 2, cpuSeconds: 3 },
  },
};

/** Node flags that give a 128 MB function's heap room, as a memory-sized Lambda runtime would (see RESULTS.md). */
export const CAPPED_HEAP_FLAGS = ['--max-old-space-size=48', '--max-semi-space-size=2'];

export interface BenchOptions {
  quick: boolean;
  /** Media, bundles and scratch files; kept between runs so the videos are packaged once. */
  workDir: string;
  log?: (line: string) => void;
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return 'not found';
  }
}

// Read from the installed tree: some packages do not export their package.json.
const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** What every run starts with: its sizes, the origin folder, the start time and a fresh signing key. */
function startRun(options: BenchOptions) {
  const originDir = join(options.workDir, 'origin');
  mkdirSync(originDir, { recursive: true });
  return {
    log: options.log ?? (() => {}),
    sizes: options.quick ? SIZES.quick : SIZES.full,
    originDir,
    started: new Date(),
    key: generateSigningKey('ES256'),
  };
}

export async function runBench(options: BenchOptions) {
  const { log, sizes, originDir, started, key } = startRun(options);

  // Steps are numbered by the RESULTS.md section they measure; a section measured in two steps has a and b.
  log('1a/9 packaging the playback videos');
  const videos = await prepareVideos(originDir, options.workDir, sizes.playback.lengths, sizes.playback, log);
  const world = await startWorld({ originDir, workDir: options.workDir, key });
  const browser = await launchChromium();
  try {
    log('1b/9 playing in Chromium: Keygate, gate-everything, seed');
    const playbackRuns = await benchPlayback(world, browser, key, videos, sizes.playback, (run) =>
      log(`  ${run.design} ${run.seconds} s: ${run.edgeInvocations} edge invocations, ${run.dynamodbRequests} DynamoDB requests`),
    );
    const chromiumVersion = browser.version();
    await browser.close();
    log('1c/9 playing as a native player: ffmpeg given a path-token URL');
    const nativeRuns = await benchNativePlayback(world, key, videos, sizes.playback.rounds);
    log('1d/9 revoking while playing: when each player stops, with its own buffering and with the kit');
    const revocation = await benchRevocation(options.workDir, sizes.revocation);

    log('2a/9 decision latency, in process');
    const latency = await benchLatency(world, key, options.workDir, sizes.latency);
    log('2b/9 decision latency with an OpenID provider token (warm, and a cold container fetching the JWKS)');
    const providerLatency = await benchProviderLatency(world, key, options.workDir, sizes.providerLatency);
    log('2c/9 key requests while every replica fails, with and without the degraded mode');
    const degraded = await benchDegraded(world, key, options.workDir, sizes.degraded);
    log('3a/9 throughput of /keys/* under autocannon');
    const throughput = await benchThroughput(world, key, originDir, sizes.throughput);
    log('3b/9 profiling the distribution process under load: Keygate without its cache, and the seed');
    const throughputProfile = await profileThroughput(originDir, options.workDir, key, sizes.throughput, ['keygate-nocache', 'seed']);
    log('4/9 cold starts');
    const coldStart = await benchColdStart(world, key, options.workDir, sizes.coldStart);
    log('5/9 memory over distinct viewers (default heap, then a 128 MB-sized heap)');
    const memoryOptions = { decisions: sizes.memory.decisions, cacheMaxEntries: sizes.memory.cacheMaxEntries };
    const memory = {
      defaultHeap: await benchMemory(world, key, options.workDir, memoryOptions),
      cappedHeap: await benchMemory(world, key, options.workDir, { ...memoryOptions, nodeArgs: CAPPED_HEAP_FLAGS }),
      cappedHeapFlags: CAPPED_HEAP_FLAGS,
    };
    log('6/9 packaging throughput against openssl');
    const packaging = await benchPackaging(options.workDir, sizes.packaging);

    log('7/9 cost model');
    const playback = summarizePlayback(playbackRuns);
    const nativePlayback = summarizeNativePlayback(nativeRuns);
    const longest = Math.max(...sizes.playback.lengths);
    // A cache hit bills 1 ms (the minimum); a read bills its measured median, rounded up.
    const billedMs = Math.max(1, Math.ceil(latency['hit-jwt'].p50Us / 1000));
    const cost = {
      fromVideoSeconds: longest,
      billedMsPerInvocation: billedMs,
      rows: costModel(
        [
          ...playback.filter((p) => p.seconds === longest),
          { ...nativePlayback.find((p) => p.seconds === longest)!, design: 'keygate-native' as const },
        ],
        billedMs,
      ),
    };
    log('8/9 stream limits: store operations per playback, lease latency, the two-region race');
    const streamLimits = await benchStreamLimits(key, sizes.streamLimits);
    log('9/9 live channels: a viewer through Keygate and through gate-everything in real time, then ffmpeg CPU per rendition');
    const liveBrowser = await launchChromium();
    const liveRun = await benchLive(world, liveBrowser, key, originDir, options.workDir, sizes.live).finally(() => liveBrowser.close());
    const liveHour = liveProjection(liveRun);
    const live = { ...liveRun, projection: liveHour, cost: liveCost(liveHour, billedMs) };
    return {
      meta: {
        mode: options.quick ? 'quick' : 'full',
        date: started.toISOString(),
        durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
        machine: {
          cpu: cpus()[0]?.model ?? 'unknown',
          cores: cpus().length,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          os: `${platform()} ${release()}`,
        },
        versions: <Record<string, string>>{
          node: process.version,
          chromium: chromiumVersion,
          ffmpeg: firstLine('ffmpeg', ['-version']).replace(/^ffmpeg version (\S+).*$/, '$1'),
          openssl: packaging.opensslVersion,
          ...Object.fromEntries(
            ['hls.js', '@aws-sdk/client-dynamodb', 'aws-jwt-verify', 'esbuild', 'dynalite', 'autocannon', 'playwright-core'].map((n) => [
              n,
              packageVersion(n),
            ]),
          ),
        },
        sizes,
        /** Sections measured again later with `--only`, each with when (the rest are this run's). */
        remeasured: [] as Remeasured[],
      },
      playback: { videos, summary: playback, runs: playbackRuns },
      nativePlayback: { summary: nativePlayback, runs: nativeRuns },
      revocation,
      latency,
      providerLatency,
      degraded,
      throughput,
      throughputProfile,
      coldStart,
      memory,
      packaging,
      cost,
      streamLimits,
      live,
    };
  } finally {
    await browser.close().catch(() => {});
    await world.close();
  }
}

export type BenchResults = Awaited<ReturnType<typeof runBench>>;

/** The sections `npm run bench -- --only` can measure again on their own, by their RESULTS.md step. */
export const REMEASURABLE_SECTIONS = ['latency', 'cold-start', 'stream-limits'] as const;
export type RemeasurableSection = (typeof REMEASURABLE_SECTIONS)[number];
export interface Remeasured {
  sections: RemeasurableSection[];
  date: string;
  durationSeconds: number;
}

/**
 * Measures only `sections` (full or quick sizes, as `runBench`) and puts them into `previous` in
 * place of its own: a quicker loop for one change than the whole bench. Every comparison inside a
 * section still runs side by side, in the same run; the result's header says which were re-measured.
 */
export async function rerunSections(options: BenchOptions, sections: RemeasurableSection[], previous: BenchResults): Promise<BenchResults> {
  const { log, sizes, originDir, started, key } = startRun(options);
  const results: BenchResults = { ...previous, meta: { ...previous.meta, remeasured: [...(previous.meta.remeasured ?? [])] } };
  const world = await startWorld({ originDir, workDir: options.workDir, key });
  try {
    if (sections.includes('latency')) {
      log('2a decision latency, in process');
      results.latency = await benchLatency(world, key, options.workDir, sizes.latency);
    }
    if (sections.includes('cold-start')) {
      log('4 cold starts');
      results.coldStart = await benchColdStart(world, key, options.workDir, sizes.coldStart);
    }
    if (sections.includes('stream-limits')) {
      log('8 stream limits: store operations per playback, lease latency, the two-region race');
      results.streamLimits = await benchStreamLimits(key, sizes.streamLimits);
    }
  } finally {
    await world.close();
  }
  const durationSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  // An earlier re-measurement whose every section this one replaced no longer describes any figure.
  results.meta.remeasured = results.meta.remeasured.filter((m) => !m.sections.every((section) => sections.includes(section)));
  results.meta.remeasured.push({ sections, date: started.toISOString(), durationSeconds });
  return results;
}

import { execFile } from 'node:child_process';
import type { SigningKey } from '../../lib/admin/signing-keys';
import { mintToken, pathTokenUrl } from '../../lib/admin/tokens';
import { BENCH_AUDIENCE, BENCH_ISSUER } from '../harness/bench-authorizer';
import type { BenchVideo } from '../harness/media';
import { interleaved, median } from '../harness/stats';
import type { World } from '../harness/world';

export interface NativePlaybackRun {
  seconds: number;
  /** Lambda@Edge invocations: the key authorizer, on key requests only. */
  edgeInvocations: number;
  /** CloudFront Function invocations: the path-token strip, on every playlist and segment. */
  functionInvocations: number;
  keyRequests: number;
  mediaRequests: number;
  dynamodbRequests: number;
  /** Media cache keys that still held a path token (must stay 0: one shared entry per segment). */
  cacheKeysWithToken: number;
  /** ffmpeg decoded to the end with no error and every key request was answered 200. */
  completed: boolean;
}

/** Plays a URL to its end with ffmpeg as a native player would: decoding everything, writing nothing. */
export function ffmpegPlay(url: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', url, '-map', '0:v:0', '-f', 'null', '-'], (error, _out, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/**
 * Measurement 1c: a native player (ffmpeg: a real HLS client without JavaScript, as Safari's or
 * AirPlay's) given a path-token URL plays each video to its end through Keygate's distribution.
 * It carries nothing but the URL, so this counts what a native viewer costs.
 */
export async function benchNativePlayback(
  world: World,
  key: SigningKey,
  videos: BenchVideo[],
  rounds: number,
): Promise<NativePlaybackRun[]> {
  const runs = await interleaved(
    videos.map((v) => v.id),
    rounds,
    async (videoId, round) => {
      const video = videos.find((v) => v.id === videoId)!;
      const uid = `np-${video.seconds}s-${round}`;
      await world.grant([{ uid, videoId, keyUris: video.keyUris }]);
      await world.reset();
      const token = mintToken({
        key,
        issuer: BENCH_ISSUER,
        audience: BENCH_AUDIENCE,
        uid,
        ttlSeconds: 3600,
        videos: [videoId],
        nowSeconds: Date.now() / 1000,
      });
      // One rendition's playlist, as a native player plays one at a time: given a master, ffmpeg
      // probes every variant (and fetches each one's key), which Safari and AirPlay do not.
      const playback = await ffmpegPlay(pathTokenUrl(`${world.urls.keygate}/videos/${videoId}/${video.firstRendition}`, token, 't'));
      const stats = await world.stats('keygate');
      return {
        seconds: video.seconds,
        edgeInvocations: stats.edgeInvocations,
        functionInvocations: stats.functionInvocations,
        keyRequests: stats.requests.keys,
        mediaRequests: stats.requests.media,
        dynamodbRequests: await world.dynamodbRequests(),
        cacheKeysWithToken: Object.keys(stats.mediaCacheKeys).filter((k) => k.includes(token)).length,
        completed:
          playback.code === 0 &&
          playback.stderr.trim() === '' &&
          stats.keyRequests.length > 0 &&
          stats.keyRequests.every((k) => k.status === 200),
      };
    },
  );
  return Object.values(runs).flat();
}

/** Per video length, the median of each count over the rounds. */
export function summarizeNativePlayback(runs: NativePlaybackRun[]) {
  return [...new Set(runs.map((r) => r.seconds))].map((seconds) => {
    const group = runs.filter((r) => r.seconds === seconds);
    const m = (f: (r: NativePlaybackRun) => number) => median(group.map(f));
    return {
      seconds,
      edgeInvocations: m((r) => r.edgeInvocations),
      functionInvocations: m((r) => r.functionInvocations),
      keyRequests: m((r) => r.keyRequests),
      mediaRequests: m((r) => r.mediaRequests),
      dynamodbRequests: m((r) => r.dynamodbRequests),
      cacheKeysWithToken: Math.max(...group.map((r) => r.cacheKeysWithToken)),
      allCompleted: group.every((r) => r.completed),
      runs: group.length,
    };
  });
}

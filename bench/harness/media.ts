import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterPlaylist } from '../../lib/media/hls-playlist';
import { packageVideo } from '../../lib/media/package-video';
import { generateTestClip } from '../../lib/media/test-clip';

/** The ladder the playback benchmark plays: three renditions, small enough to package in seconds. */
export const BENCH_LADDER = ['240p', '180p', '144p'];

export interface BenchVideo {
  id: string;
  seconds: number;
  renditions: number;
  /** Segments per rendition. */
  segmentCount: number;
  /** The distinct key paths players request (one per rotation window, shared by every rendition). */
  keyUris: string[];
  /** The first variant's media playlist, relative to the video's folder. */
  firstRendition: string;
}

/** Reads a packaged video's shape back from its playlists. */
export function describeVideo(originDir: string, id: string, seconds: number): BenchVideo {
  const dir = join(originDir, 'videos', id);
  const variants = parseMasterPlaylist(readFileSync(join(dir, 'master.m3u8'), 'utf8'));
  const playlist = readFileSync(join(dir, variants[0].uri), 'utf8');
  // The paths players request: key URIs resolved against the playlist (they are written relative to it).
  const playlistUrl = new URL(`/videos/${id}/${variants[0].uri}`, 'http://origin.invalid');
  const keyUris = [...new Set([...playlist.matchAll(/#EXT-X-KEY:.*URI="([^"]+)"/g)].map((m) => new URL(m[1], playlistUrl).pathname))];
  const segmentCount = playlist.split('\n').filter((l) => l.endsWith('.ts')).length;
  return { id, seconds, renditions: variants.length, segmentCount, keyUris, firstRendition: variants[0].uri };
}

/**
 * Whether a packaged video's key URIs are relative to its playlists, as `keygate package` writes them
 * now; one packaged by an earlier version has absolute ones, which a path-token URL cannot carry.
 */
function hasRelativeKeyUris(originDir: string, id: string): boolean {
  const dir = join(originDir, 'videos', id);
  const variants = parseMasterPlaylist(readFileSync(join(dir, 'master.m3u8'), 'utf8'));
  const uri = /#EXT-X-KEY:.*URI="([^"]+)"/.exec(readFileSync(join(dir, variants[0].uri), 'utf8'))?.[1];
  return uri !== undefined && !uri.startsWith('/') && !/^[a-z]+:/i.test(uri);
}

/**
 * Packages a test clip of each length with `keygate package`'s pipeline (ffmpeg ladder, AES-128,
 * a new key every `rotateEvery` segments) into the origin folder; reuses what an earlier run made.
 */
export async function prepareVideos(
  originDir: string,
  workDir: string,
  lengths: number[],
  shape: { segmentSeconds: number; rotateEvery: number },
  onProgress: (label: string) => void,
): Promise<BenchVideo[]> {
  const videos: BenchVideo[] = [];
  for (const seconds of lengths) {
    const id = `bench-${seconds}s-seg${shape.segmentSeconds}-rot${shape.rotateEvery}`;
    if (!existsSync(join(originDir, 'videos', id, 'master.m3u8')) || !hasRelativeKeyUris(originDir, id)) {
      onProgress(`packaging a ${seconds} s ${BENCH_LADDER.length}-rendition ladder`);
      const clip = join(workDir, `${id}.mp4`);
      try {
        await generateTestClip(clip, { seconds, width: 426, height: 240 });
        await packageVideo({ input: clip, videoId: id, outDir: originDir, ladder: BENCH_LADDER, force: true, ...shape });
      } finally {
        rmSync(clip, { force: true });
      }
    }
    videos.push(describeVideo(originDir, id, seconds));
  }
  return videos;
}

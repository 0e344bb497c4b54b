import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertCanWriteVideo, encryptHls, type EncryptResult } from './encrypt-hls';
import { probe, runFfmpeg, type EncodePreset } from './ffmpeg';
import { DEFAULT_LADDER, AUDIO_KBPS, planLadder, type Rendition } from './ladder';
import { writeMasterPlaylist } from './master-playlist';

export interface PackageOptions {
  input: string;
  videoId: string;
  outDir: string;
  ladder?: string[];
  segmentSeconds?: number;
  rotateEvery?: number;
  keyBaseUrl?: string;
  force?: boolean;
  /** x264 speed: `veryfast` (default) or `ultrafast` (about 3× faster, larger segments). */
  encodePreset?: EncodePreset;
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
}

export interface PackageResult extends EncryptResult {
  renditionDetails: (Rendition & { playlist: string })[];
}

function ffmpegLadderArgs(
  input: string,
  clearDir: string,
  renditions: Rendition[],
  hasAudio: boolean,
  segmentSeconds: number,
  preset: EncodePreset,
): string[] {
  const split = `[0:v]split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')}`;
  const scales = renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`);
  const args = ['-i', input, '-filter_complex', [split, ...scales].join(';')];
  renditions.forEach((r, i) => {
    args.push(
      ...['-map', `[v${i}]`, ...(hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ac', '2'] : [])],
      ...['-c:v', 'libx264', '-preset', preset, '-profile:v', 'high', '-level:v', '4.0', '-pix_fmt', 'yuv420p'],
      ...['-b:v', `${r.videoKbps}k`, '-maxrate', `${Math.round(r.videoKbps * 1.1)}k`, '-bufsize', `${r.videoKbps * 2}k`],
      // Keyframes exactly on segment boundaries in every rendition: segments align, so a player
      // switches cleanly and one rotation window spans the same time everywhere.
      ...['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`, '-sc_threshold', '0'],
      ...['-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments'],
      ...['-hls_segment_filename', join(clearDir, r.name, 'seg%05d.ts'), join(clearDir, r.name, 'index.m3u8')],
    );
  });
  return args;
}

/**
 * Transcodes a video into an ABR ladder of H.264/AAC MPEG-TS HLS with ffmpeg, then encrypts it with
 * key rotation through the same pipeline as `keygate encrypt`. The clear transcode lives in a
 * temporary folder that is always removed; the encrypted result appears in outDir only on success.
 */
export async function packageVideo(options: PackageOptions): Promise<PackageResult> {
  const segmentSeconds = options.segmentSeconds ?? 4;
  const rotateEvery = options.rotateEvery ?? 10;
  assertCanWriteVideo(options.outDir, options.videoId, options.force === true);
  const info = await probe(options.input);
  const renditions = planLadder(options.ladder ?? DEFAULT_LADDER, info.width, info.height);
  const clearDir = mkdtempSync(join(tmpdir(), 'keygate-clear-'));
  try {
    // ffmpeg's HLS muxer does not create folders.
    for (const r of renditions) mkdirSync(join(clearDir, r.name));
    await runFfmpeg(
      ffmpegLadderArgs(options.input, clearDir, renditions, info.hasAudio, segmentSeconds, options.encodePreset ?? 'veryfast'),
      {
        signal: options.signal,
        onProgress: (seconds) => options.onProgress?.(Math.min(seconds, info.durationSeconds), info.durationSeconds, 'transcoding'),
      },
    );
    writeFileSync(join(clearDir, 'master.m3u8'), writeMasterPlaylist(clearDir, renditions, info.hasAudio, info.frameRate));
    const result = await encryptHls({
      inputDir: clearDir,
      videoId: options.videoId,
      outDir: options.outDir,
      rotateEvery,
      keyBaseUrl: options.keyBaseUrl,
      force: options.force,
      onProgress: (done, total) => options.onProgress?.(done, total, 'encrypting'),
    });
    return {
      ...result,
      renditionDetails: renditions.map((r) => ({ ...r, playlist: `${r.name}/index.m3u8` })),
    };
  } finally {
    rmSync(clearDir, { recursive: true, force: true });
  }
}

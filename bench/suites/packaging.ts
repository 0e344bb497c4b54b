import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encryptHls } from '../../lib/media/encrypt-hls';
import { runFfmpeg } from '../../lib/media/ffmpeg';
import { interleaved, median } from '../harness/stats';

const run = promisify(execFile);

export const PACKAGING_VARIANTS = ['keygate', 'openssl-per-segment', 'openssl-one-stream'] as const;
export type PackagingVariant = (typeof PACKAGING_VARIANTS)[number];

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();
}
const bytesOf = (files: string[]) => files.reduce((sum, f) => sum + statSync(f).size, 0);

/**
 * Measurement 6: `keygate encrypt`'s engine (encryptHls: parse, AES-128-CBC per segment with key
 * rotation, write playlists and keys) against openssl over the same clear segments, once per
 * segment as a shell packaging script does, and once over all the bytes in one stream (the cipher's ceiling).
 */
export async function benchPackaging(workDir: string, options: { seconds: number; rounds: number }) {
  const clearDir = join(workDir, `clear-720p-${options.seconds}s`);
  if (!existsSync(join(clearDir, 'index.m3u8'))) {
    mkdirSync(clearDir, { recursive: true });
    await runFfmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440'],
      ...['-t', String(options.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '3000k', '-c:a', 'aac'],
      ...['-force_key_frames', 'expr:gte(t,n_forced*2)', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod'],
      ...['-hls_segment_filename', join(clearDir, 'seg%05d.ts'), join(clearDir, 'index.m3u8')],
    ]);
  }
  const segments = filesUnder(clearDir, '.ts');
  const clearBytes = bytesOf(segments);
  const stream = join(workDir, 'clear-stream.bin');
  writeFileSync(stream, Buffer.concat(segments.map((s) => readFileSync(s))));
  const key = randomBytes(16).toString('hex');
  const iv = randomBytes(16).toString('hex');
  const outDir = join(workDir, 'packaging-out');
  const encryptedBytes: Record<PackagingVariant, number> = { keygate: 0, 'openssl-per-segment': 0, 'openssl-one-stream': 0 };

  const variants: Record<PackagingVariant, () => Promise<void>> = {
    keygate: async () => {
      await encryptHls({ inputDir: clearDir, videoId: 'packaging', outDir, rotateEvery: 10, force: true });
      encryptedBytes.keygate = bytesOf(filesUnder(join(outDir, 'videos', 'packaging'), '.ts'));
    },
    'openssl-per-segment': async () => {
      mkdirSync(join(outDir, 'openssl'), { recursive: true });
      let total = 0;
      for (const segment of segments) {
        const out = join(outDir, 'openssl', segment.split('/').pop()!);
        await run('openssl', ['enc', '-aes-128-cbc', '-K', key, '-iv', iv, '-in', segment, '-out', out]);
        total += statSync(out).size;
      }
      encryptedBytes['openssl-per-segment'] = total;
    },
    'openssl-one-stream': async () => {
      mkdirSync(outDir, { recursive: true });
      await run('openssl', ['enc', '-aes-128-cbc', '-K', key, '-iv', iv, '-in', stream, '-out', join(outDir, 'stream.enc')]);
      encryptedBytes['openssl-one-stream'] = statSync(join(outDir, 'stream.enc')).size;
    },
  };
  try {
    const runs = await interleaved(PACKAGING_VARIANTS, options.rounds, async (variant) => {
      rmSync(outDir, { recursive: true, force: true });
      const started = performance.now();
      await variants[variant]();
      return clearBytes / 1e6 / ((performance.now() - started) / 1000);
    });
    const { stdout: opensslVersion } = await run('openssl', ['version']);
    return {
      clearBytes,
      segments: segments.length,
      opensslVersion: opensslVersion.trim(),
      encryptedBytes,
      mbPerSecond: Object.fromEntries(PACKAGING_VARIANTS.map((v) => [v, median(runs[v])])) as Record<PackagingVariant, number>,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(stream, { force: true });
  }
}

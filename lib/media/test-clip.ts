import { runFfmpeg, type EncodePreset } from './ffmpeg';

/** A synthetic H.264/AAC MP4 (ffmpeg testsrc2 + a sine tone), for tests, the demo and benchmarks. */
export async function generateTestClip(
  path: string,
  options: { seconds: number; width?: number; height?: number; encodePreset?: EncodePreset },
): Promise<void> {
  const size = `${options.width ?? 320}x${options.height ?? 180}`;
  await runFfmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...[
      '-t',
      String(options.seconds),
      '-c:v',
      'libx264',
      '-preset',
      options.encodePreset ?? 'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      path,
    ],
  ]);
}

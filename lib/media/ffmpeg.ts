import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KeygateError } from '../keygate-error';

export function findOnPath(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new KeygateError(
    `${tool} was not found on PATH: install it with "apt-get install ffmpeg" (Debian/Ubuntu) or "brew install ffmpeg" (macOS)`,
  );
}

/** x264 speed presets Keygate uses: `veryfast` by default, `ultrafast` where packaging time matters more than size (the dev demo). */
export type EncodePreset = 'veryfast' | 'ultrafast';

export interface MediaInfo {
  width: number;
  height: number;
  durationSeconds: number;
  frameRate: number;
  hasAudio: boolean;
}

/** Reads what the ladder needs from ffprobe; a file ffprobe cannot read is refused here (after `timeoutMs`, a stream that does not answer). */
export function probe(input: string, options: { timeoutMs?: number } = {}): Promise<MediaInfo> {
  const ffprobe = findOnPath('ffprobe');
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', input];
    execFile(ffprobe, args, { timeout: options.timeoutMs ?? 0 }, (error, stdout, stderr) => {
      if (error?.killed) return reject(new KeygateError(`cannot read ${input}: no answer within ${(options.timeoutMs ?? 0) / 1000} s`));
      if (error) return reject(new KeygateError(`cannot read ${input} as a video: ${stderr.trim().split('\n').pop() || error.message}`));
      const info = JSON.parse(stdout) as { streams: Record<string, unknown>[]; format: { duration?: string } };
      const video = info.streams.find((s) => s.codec_type === 'video');
      if (!video) return reject(new KeygateError(`${input} has no video stream`));
      const [num, den] = String(video.avg_frame_rate ?? '25/1')
        .split('/')
        .map(Number);
      resolve({
        width: Number(video.width),
        height: Number(video.height),
        durationSeconds: Number(info.format.duration ?? video.duration ?? 0),
        frameRate: den ? num / den : 25,
        hasAudio: info.streams.some((s) => s.codec_type === 'audio'),
      });
    });
  });
}

/**
 * Runs ffmpeg with `-progress pipe:1`, reporting seconds of output written. Rejects with the last
 * lines of ffmpeg's own error output; the abort signal kills ffmpeg.
 */
export function runFfmpeg(
  args: string[],
  options: { onProgress?: (seconds: number) => void; signal?: AbortSignal; onSpawn?: (pid: number) => void } = {},
): Promise<void> {
  const ffmpeg = findOnPath('ffmpeg');
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-y', '-progress', 'pipe:1', '-nostats', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-4000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /out_time_us=(\d+)/g;
      let last: RegExpExecArray | null = null;
      for (let m = match.exec(chunk.toString()); m; m = match.exec(chunk.toString())) last = m;
      if (last) options.onProgress?.(Number(last[1]) / 1e6);
    });
    child.on('error', (error) => reject(error.name === 'AbortError' ? new KeygateError('ffmpeg was interrupted') : error));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new KeygateError(`ffmpeg failed (${signal ?? `exit ${code}`}): ${errors.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}

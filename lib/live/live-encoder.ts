import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../media/ffmpeg';
import { AUDIO_KBPS, type Rendition } from '../media/ladder';
import type { LiveInput } from './live-input';

/** Fonts for the test pattern's clock, where Debian and macOS keep them; without one, testsrc's own frame counter shows time. */
const CLOCK_FONTS = ['/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', '/System/Library/Fonts/Menlo.ttc'];
const SEGMENT_LIST = 'segments.csv';
/** A network source that stalls this long (µs) ends the run, so the channel reconnects instead of hanging. */
const NETWORK_TIMEOUT_US = '10000000';

function testPattern(input: Extract<LiveInput, { kind: 'test' }>): string {
  const size = `size=${input.width}x${input.height}:rate=25`;
  const font = CLOCK_FONTS.find((path) => existsSync(path));
  if (font === undefined) return `testsrc=${size}`;
  const fontSize = Math.max(12, Math.round(input.height / 9));
  // The wall clock, burnt in: a viewer sees how far behind live they are.
  return `testsrc2=${size},drawtext=fontfile=${font}:text='%{localtime\\:%T}':x=8:y=8:fontsize=${fontSize}:fontcolor=white:box=1:boxcolor=black@0.6`;
}

function inputArgs(input: LiveInput): { args: string[]; audio: string } {
  switch (input.kind) {
    case 'test':
      return {
        args: ['-re', '-f', 'lavfi', '-i', testPattern(input), '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
        audio: '1:a:0',
      };
    case 'file':
      return { args: ['-re', ...(input.loop ? ['-stream_loop', '-1'] : []), '-i', input.path], audio: '0:a:0' };
    case 'url':
      // A live source paces itself: no -re.
      return { args: ['-rw_timeout', NETWORK_TIMEOUT_US, '-i', input.url], audio: '0:a:0' };
  }
}

/**
 * One ffmpeg run encoding the ladder in real time: every rendition cut into MPEG-TS segments on forced
 * keyframes at the same instants (so a time slot spans the same seconds everywhere), each listed in
 * `<runDir>/<rendition>/segments.csv` as soon as it is closed.
 */
export function liveEncoderArgs(
  input: LiveInput,
  renditions: readonly Rendition[],
  hasAudio: boolean,
  segmentSeconds: number,
  runDir: string,
): string[] {
  const source = inputArgs(input);
  const split = `[0:v]split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')}`;
  const scales = renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`);
  const args = [...source.args, '-filter_complex', [split, ...scales].join(';')];
  renditions.forEach((r, i) => {
    const dir = join(runDir, r.name);
    args.push(
      ...['-map', `[v${i}]`, ...(hasAudio ? ['-map', source.audio, '-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ac', '2'] : [])],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'high', '-level:v', '4.0', '-pix_fmt', 'yuv420p'],
      ...['-b:v', `${r.videoKbps}k`, '-maxrate', `${Math.round(r.videoKbps * 1.1)}k`, '-bufsize', `${r.videoKbps * 2}k`],
      ...['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`, '-sc_threshold', '0'],
      ...['-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mpegts'],
      ...['-segment_list', join(dir, SEGMENT_LIST), '-segment_list_type', 'csv', join(dir, '%d.ts')],
    );
  });
  return args;
}

/** A segment ffmpeg closed: the `index`-th of its rendition in this run. */
export interface ClosedSegment {
  rendition: string;
  index: number;
  data: Buffer;
  duration: number;
}

export interface EncoderRun {
  pid: number | undefined;
  /** Resolves when ffmpeg has exited and every segment it listed has been handed over. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; lastError: string; segments: number }>;
  /** Asks ffmpeg to finish (SIGTERM: it closes the segment under way and lists it). */
  stop(): void;
}

/** Reads the lines appended to a segment list since the last call. */
function segmentListReader(path: string) {
  let offset = 0;
  let partial = '';
  return (): string[] => {
    if (!existsSync(path) || statSync(path).size <= offset) return [];
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(statSync(path).size - offset);
      offset += readSync(fd, buffer, 0, buffer.length, offset);
      const text = partial + buffer.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      return lines.filter((line) => line.trim() !== '');
    } finally {
      closeSync(fd);
    }
  };
}

/**
 * Starts ffmpeg with `args` and hands over each segment as soon as its rendition's list names it
 * (polled every `pollMs`); the segment file is read and deleted, so the work folder stays small.
 */
export function startEncoderRun(
  args: string[],
  renditions: readonly string[],
  runDir: string,
  onSegment: (segment: ClosedSegment) => void,
  pollMs = 200,
): EncoderRun {
  for (const name of renditions) mkdirSync(join(runDir, name), { recursive: true });
  const child = spawn(findOnPath('ffmpeg'), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lastError = '';
  child.stderr.on('data', (chunk: Buffer) => {
    lastError = (lastError + chunk.toString()).slice(-2000);
  });
  const readers = renditions.map((name) => ({ name, read: segmentListReader(join(runDir, name, SEGMENT_LIST)), count: 0 }));
  let handed = 0;
  const collect = () => {
    for (const reader of readers) {
      for (const line of reader.read()) {
        const [file, start, end] = line.split(',');
        const path = join(runDir, reader.name, file);
        const data = readFileSync(path);
        rmSync(path, { force: true });
        onSegment({ rendition: reader.name, index: reader.count++, data, duration: Number(end) - Number(start) });
        handed++;
      }
    }
  };
  const timer = setInterval(collect, pollMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lastError: string; segments: number }>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearInterval(timer);
      collect();
      resolve({ code, signal, lastError: lastError.trim().split('\n').slice(-2).join(' / '), segments: handed });
    };
    child.once('error', (error) => {
      lastError += error.message;
      finish(null, null);
    });
    child.once('close', finish);
  });
  return { pid: child.pid, exited, stop: () => void child.kill('SIGTERM') };
}

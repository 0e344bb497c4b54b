import { existsSync } from 'node:fs';
import { probe } from '../media/ffmpeg';
import { KeygateError } from '../keygate-error';

/** A live channel's source: ffmpeg's test pattern with a clock, a file played in real time, or a stream URL ffmpeg can pull. */
export type LiveInput =
  { kind: 'test'; width: number; height: number } | { kind: 'file'; path: string; loop: boolean } | { kind: 'url'; url: string };

/** What the ladder needs of the source. */
export interface LiveSourceInfo {
  width: number;
  height: number;
  hasAudio: boolean;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** How long ffprobe may take to open a stream before the input counts as unreachable. */
const PROBE_TIMEOUT_MS = 15_000;

/** Parses `--input`: `test`, a URL (http, https, srt, rtmp, udp, tcp…), or the path of a file that exists. */
export function parseLiveInput(value: string, options: { loop?: boolean; testSize?: { width: number; height: number } } = {}): LiveInput {
  if (value === 'test') return { kind: 'test', width: options.testSize?.width ?? 640, height: options.testSize?.height ?? 360 };
  if (URL_SCHEME.test(value)) return { kind: 'url', url: value };
  if (!existsSync(value))
    throw new KeygateError(`no file at ${value}: give a video file, a stream URL (srt://, rtmp://, http://…) or "test"`, 'input');
  return { kind: 'file', path: value, loop: options.loop === true };
}

/** Opens the source once before anything is published: an unreachable or unreadable input stops here, with ffprobe's reason. */
export async function probeLiveInput(input: LiveInput): Promise<LiveSourceInfo> {
  if (input.kind === 'test') return { width: input.width, height: input.height, hasAudio: true };
  const source = input.kind === 'file' ? input.path : input.url;
  try {
    const info = await probe(source, { timeoutMs: PROBE_TIMEOUT_MS });
    return { width: info.width, height: info.height, hasAudio: info.hasAudio };
  } catch (error) {
    if (error instanceof KeygateError) throw new KeygateError(error.message, 'input');
    throw error;
  }
}

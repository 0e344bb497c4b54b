import { KeygateError } from '../keygate-error';

/** The renditions `keygate package` can produce: height and a video bitrate suited to H.264. */
const LADDER_RUNGS: Record<string, { height: number; videoKbps: number }> = {
  '1080p': { height: 1080, videoKbps: 5000 },
  '720p': { height: 720, videoKbps: 2800 },
  '480p': { height: 480, videoKbps: 1400 },
  '360p': { height: 360, videoKbps: 800 },
  '240p': { height: 240, videoKbps: 400 },
  '180p': { height: 180, videoKbps: 250 },
  '144p': { height: 144, videoKbps: 150 },
};

export const DEFAULT_LADDER = ['1080p', '720p', '480p', '360p'];

export const isLadderRung = (name: string): boolean => Object.hasOwn(LADDER_RUNGS, name);

/** A rung's size at 16:9 (what a live encoder is told to produce) and its video bitrate. */
export function rungOf(name: string): Rendition {
  if (!isLadderRung(name)) throw new KeygateError(`unknown ladder rung ${name}: choose from ${Object.keys(LADDER_RUNGS).join(', ')}`);
  const { height, videoKbps } = LADDER_RUNGS[name];
  return { name, height, width: even((height * 16) / 9), videoKbps };
}
export const AUDIO_KBPS = 128;
/** H.264 High profile, level 4.0 (avc1.640028), and AAC-LC: what the CODECS attribute declares. */
export const VIDEO_CODEC = 'avc1.640028';
export const AUDIO_CODEC = 'mp4a.40.2';

export interface Rendition {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * The renditions to encode for a source of `width`×`height`: the requested rungs, minus any taller
 * than the source (never upscale). A source smaller than every rung gets one rendition at its own size.
 */
export function planLadder(requested: string[], width: number, height: number): Rendition[] {
  const unknown = requested.filter((r) => !(r in LADDER_RUNGS));
  if (unknown.length > 0)
    throw new KeygateError(`unknown ladder rung ${unknown.join(', ')}: choose from ${Object.keys(LADDER_RUNGS).join(', ')}`);
  const fitting = [...new Set(requested)]
    .map((name) => ({ name, ...LADDER_RUNGS[name] }))
    .filter((rung) => rung.height <= height)
    .sort((a, b) => b.height - a.height);
  const rungs = fitting.length > 0 ? fitting : [{ name: `${height}p`, height, videoKbps: LADDER_RUNGS['144p'].videoKbps }];
  return rungs.map((rung) => ({
    name: rung.name,
    height: even(rung.height),
    width: even((width * rung.height) / height),
    videoKbps: rung.videoKbps,
  }));
}

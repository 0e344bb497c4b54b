import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseMasterPlaylist } from '../../lib/media/hls-playlist';
import { KEYS_PREFIX, VIDEOS_PREFIX } from '../../lib/media/origin-layout';

export interface DerivedTitleOptions {
  originDir: string;
  /** A packaged title in the origin folder. */
  from: string;
  /** The new title's id: videos/<to>/master.m3u8, one rendition. */
  to: string;
  /**
   * Copies the keys to keys/<to>/ and names them there, so the new title's key requests are told apart
   * from the original's at the server. Otherwise the original key URIs are kept.
   */
  ownKeys?: boolean;
  /** Rewrites the key URI of a rotation window (0, 1…); it gets the URI the new playlist would otherwise have. */
  keyUri?: (window: number, uri: string) => string;
  /** Rewrites a segment's URI (0, 1…, and its window); it gets the original segment's URI relative to the new playlist. */
  segmentUri?: (index: number, uri: string, window: number) => string;
  /** Keeps only the first rotation windows: a shorter title. */
  windows?: number;
}

export interface DerivedTitle {
  /** The rendition's folder in the original title (its lowest bandwidth: the one fetched fastest). */
  rendition: string;
  segmentCount: number;
  keyCount: number;
  /** The media time one key covers, in seconds (the longest window). */
  keyWindowSeconds: number;
  /** Each window's start in media seconds, by window index. */
  windowStarts: number[];
}

/**
 * A new title made of an existing one's lowest rendition, without transcoding: its playlist names the
 * original segments, with key and segment URIs rewritten as the caller asks. Tests and benchmarks
 * use it for hostile playlists (a key on another host), and to give concurrent players titles whose
 * key requests the server can tell apart.
 */
export function deriveTitle(options: DerivedTitleOptions): DerivedTitle {
  const { originDir, from, to } = options;
  const fromDir = join(originDir, VIDEOS_PREFIX, from);
  const master = readFileSync(join(fromDir, 'master.m3u8'), 'utf8');
  const bandwidth = (streamInf: string) => Number(/BANDWIDTH=(\d+)/.exec(streamInf)?.[1] ?? Infinity);
  const variant = parseMasterPlaylist(master).sort((a, b) => bandwidth(a.streamInf) - bandwidth(b.streamInf))[0];
  const rendition = posix.dirname(variant.uri);
  const toDir = join(originDir, VIDEOS_PREFIX, to);
  mkdirSync(join(toDir, rendition), { recursive: true });
  writeFileSync(join(toDir, 'master.m3u8'), ['#EXTM3U', '#EXT-X-VERSION:3', variant.streamInf, variant.uri, ''].join('\n'));

  if (options.ownKeys) {
    mkdirSync(join(originDir, KEYS_PREFIX, to), { recursive: true });
    for (const file of readdirSync(join(originDir, KEYS_PREFIX, from)))
      copyFileSync(join(originDir, KEYS_PREFIX, from, file), join(originDir, KEYS_PREFIX, to, file));
  }
  const ownKey = (uri: string) => (options.ownKeys ? uri.replace(`/${KEYS_PREFIX}${from}/`, `/${KEYS_PREFIX}${to}/`) : uri);
  const keyUri = options.keyUri ?? ((_window, uri) => uri);
  const segmentUri = options.segmentUri ?? ((_index, uri) => uri);
  let window = -1;
  let segment = 0;
  let mediaTime = 0;
  let duration = 0;
  const windowStarts: number[] = [];
  const lines: string[] = [];
  for (const line of readFileSync(join(fromDir, variant.uri), 'utf8').split('\n')) {
    if (line.startsWith('#EXT-X-KEY:')) {
      if (window + 1 === options.windows) break;
      window++;
      windowStarts.push(mediaTime);
      lines.push(line.replace(/URI="([^"]*)"/, (_match, uri: string) => `URI="${keyUri(window, ownKey(uri))}"`));
    } else if (line === '' || line.startsWith('#')) {
      if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
      lines.push(line);
    } else {
      mediaTime += duration;
      // The new playlist sits at the same depth (videos/<to>/<rendition>/), so `../../<from>/<rendition>/` reaches the originals.
      lines.push(segmentUri(segment++, posix.join('..', '..', from, rendition, line), window));
    }
  }
  if (!lines.includes('#EXT-X-ENDLIST')) lines.push('#EXT-X-ENDLIST', '');
  writeFileSync(join(toDir, variant.uri), lines.join('\n'));
  const ends = [...windowStarts.slice(1), mediaTime];
  const keyWindowSeconds = Math.max(...windowStarts.map((start, i) => ends[i] - start));
  return { rendition, segmentCount: segment, keyCount: window + 1, keyWindowSeconds, windowStarts };
}

import { KeygateError } from '../keygate-error';

/** Just enough of RFC 8216 to read clear HLS produced by ffmpeg, MediaConvert or Shaka and to re-key it. */
/** A clear playlist that cannot be read or re-keyed. */
export class PlaylistError extends KeygateError {}

export interface Variant {
  /** The #EXT-X-STREAM-INF line, kept as written. */
  streamInf: string;
  uri: string;
}

export interface MediaPlaylist {
  lines: string[];
  /** Index into `lines` of each segment URI, in order. */
  segmentLines: number[];
}

function lines(text: string): string[] {
  const all = text.replace(/\r\n/g, '\n').split('\n');
  if (all[0]?.trim() !== '#EXTM3U') throw new PlaylistError('not an HLS playlist: the first line is not #EXTM3U');
  return all;
}

export function isMasterPlaylist(text: string): boolean {
  return /^#EXT-X-STREAM-INF:/m.test(text);
}

export function parseMasterPlaylist(text: string): Variant[] {
  const all = lines(text);
  const variants: Variant[] = [];
  for (let i = 0; i < all.length; i++) {
    if (!all[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const uri = all.slice(i + 1).find((l) => l.trim() !== '' && !l.startsWith('#'));
    if (!uri) throw new PlaylistError(`variant at line ${i + 1} has no URI`);
    variants.push({ streamInf: all[i], uri: uri.trim() });
  }
  if (variants.length === 0) throw new PlaylistError('master playlist lists no variants');
  return variants;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const all = lines(text);
  if (all.some((l) => l.startsWith('#EXT-X-KEY:') && !/METHOD=NONE/.test(l))) {
    throw new PlaylistError('the playlist is already encrypted (#EXT-X-KEY): give keygate the clear HLS');
  }
  if (all.some((l) => l.startsWith('#EXT-X-MAP:'))) {
    throw new PlaylistError('fMP4 segments (#EXT-X-MAP) are not supported: package MPEG-TS segments for AES-128');
  }
  if (all.some((l) => l.startsWith('#EXT-X-BYTERANGE:'))) throw new PlaylistError('byte-range segments are not supported');
  const segmentLines: number[] = [];
  let inSegment = false;
  all.forEach((line, index) => {
    if (line.startsWith('#EXTINF:')) inSegment = true;
    else if (inSegment && line.trim() !== '' && !line.startsWith('#')) {
      segmentLines.push(index);
      inSegment = false;
    }
  });
  if (segmentLines.length === 0) throw new PlaylistError('the media playlist has no segments');
  if (!all.includes('#EXT-X-ENDLIST')) throw new PlaylistError('only complete (VOD) playlists can be encrypted: #EXT-X-ENDLIST is missing');
  return { lines: all, segmentLines };
}

export const keyTag = (uri: string, iv: Buffer) => `#EXT-X-KEY:METHOD=AES-128,URI="${uri}",IV=0x${iv.toString('hex')}`;

/** The playlist with an #EXT-X-KEY before the #EXTINF of the first segment of each rotation window. */
export function withKeyTags(playlist: MediaPlaylist, rotateEvery: number, tagForWindow: (window: number) => string): string {
  const out: string[] = [];
  let segment = 0;
  for (const line of playlist.lines) {
    if (line.startsWith('#EXTINF:')) {
      if (segment % rotateEvery === 0) out.push(tagForWindow(segment / rotateEvery));
      segment++;
    }
    out.push(line);
  }
  return out.join('\n');
}

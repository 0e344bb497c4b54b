import { confineKeyUri, confineMediaUri, redirectProblem } from './canary-confinement';
import type { HttpGet } from './raw-http';

/**
 * What `keygate verify` tests with, found as a player finds it: the master playlist, its first
 * rendition's playlist, and that playlist's first key URI and first segment. Every URI is resolved
 * against the playlist it stands in, as HLS requires, and must stay on the distribution, for the
 * video asked for (canary-confinement.ts): a playlist never sends verify anywhere else.
 */
export interface CanaryMedia {
  masterUrl: URL;
  mediaPlaylistUrl: URL;
  segmentUrl: URL;
  keyUrl: URL;
  /** The video and key the key URI names (`/keys/<videoId>/<keyName>.key`): what grants and tokens must cover. */
  videoId: string;
  keyName: string;
}

/** Why the media could not be found, in words that say what to look at. */
export type CanaryMediaResult = { found: CanaryMedia } | { problem: string };

const uriLines = (text: string) =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trim());

/** The URI of the first variant of a master playlist, or undefined for a media playlist (no #EXT-X-STREAM-INF). */
export function firstVariantUri(master: string): string | undefined {
  const lines = uriLines(master);
  const at = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF:'));
  if (at < 0) return undefined;
  return lines.slice(at + 1).find((line) => line !== '' && !line.startsWith('#'));
}

/** The URI of the first AES-128 #EXT-X-KEY and of the first segment of a media playlist; either may be missing. */
export function firstKeyAndSegment(playlist: string): { keyUri?: string; segmentUri?: string } {
  const lines = uriLines(playlist);
  const keyTag = lines.find((line) => line.startsWith('#EXT-X-KEY:') && /(^|[:,])METHOD=AES-128(,|$)/.test(line));
  const keyUri = keyTag === undefined ? undefined : /(?:^|[:,])URI="([^"]*)"/.exec(keyTag)?.[1];
  const extinf = lines.findIndex((line) => line.startsWith('#EXTINF:'));
  const segmentUri = extinf < 0 ? undefined : lines.slice(extinf + 1).find((line) => line !== '' && !line.startsWith('#'));
  return { keyUri, segmentUri };
}

export const masterPlaylistPath = (videoId: string) => `/videos/${videoId}/master.m3u8`;

/** A playlist read without credentials, as every viewer reads it, or why it could not be. */
async function readPlaylist(http: HttpGet, url: URL, what: string): Promise<{ text: string } | { problem: string }> {
  const response = await http(url, `${url.pathname}${url.search}`);
  const redirect = redirectProblem(response.status, response.headers.location);
  if (redirect !== undefined) return { problem: `${what} ${url.href} answered ${redirect}` };
  if (response.status !== 200) {
    return { problem: `${what} ${url.href} answered ${response.status} without credentials: is the video published to the media bucket?` };
  }
  const text = response.body.toString('utf8');
  if (!text.startsWith('#EXTM3U')) return { problem: `${what} ${url.href} is not an HLS playlist (no #EXTM3U)` };
  return { text };
}

/** Reads the master playlist and the first rendition's playlist of `videoId` on the distribution. */
export async function findCanaryMedia(http: HttpGet, distribution: URL, videoId: string): Promise<CanaryMediaResult> {
  const masterUrl = new URL(masterPlaylistPath(videoId), distribution);
  const master = await readPlaylist(http, masterUrl, 'the master playlist');
  if ('problem' in master) return master;
  const scope = { distribution, videoId };
  const variant = firstVariantUri(master.text);
  const confinedVariant =
    variant === undefined ? { url: masterUrl } : confineMediaUri(variant, { ...scope, base: masterUrl }, 'variant playlist');
  if ('problem' in confinedVariant) return confinedVariant;
  const mediaPlaylistUrl = confinedVariant.url;
  const media = variant === undefined ? master : await readPlaylist(http, mediaPlaylistUrl, 'the first rendition’s playlist');
  if ('problem' in media) return media;
  const { keyUri, segmentUri } = firstKeyAndSegment(media.text);
  if (keyUri === undefined) {
    return { problem: `${mediaPlaylistUrl.href} has no AES-128 #EXT-X-KEY: is the video encrypted (keygate package or encrypt)?` };
  }
  if (segmentUri === undefined) return { problem: `${mediaPlaylistUrl.href} lists no segment` };
  const key = confineKeyUri(keyUri, { ...scope, base: mediaPlaylistUrl });
  if ('problem' in key) return key;
  const segment = confineMediaUri(segmentUri, { ...scope, base: mediaPlaylistUrl }, 'segment');
  if ('problem' in segment) return segment;
  return { found: { masterUrl, mediaPlaylistUrl, segmentUrl: segment.url, keyUrl: key.url, videoId, keyName: key.keyName } };
}

import { posix } from 'node:path';
import { KEYS_PREFIX, VIDEOS_PREFIX } from './origin-layout';
import { KeygateError } from '../keygate-error';

/**
 * `keygate publish --replace` publishes a new packaging of a title beside the old one, under names
 * no cache has seen: segments and rendition playlists under `videos/<id>/v<n>/…`, keys as
 * `keys/<id>/v<n>-<k>.key` (the authorizer's key names allow `-`; its pattern stays as it is). Only
 * the title's entry playlists (`videos/<id>/<name>.m3u8`, the master) keep their names: uploaded
 * last, short-lived in caches, they switch new viewers to v<n> while viewers who started before keep
 * the old playlists, segments and keys, which stay where they were.
 */

/** A title's entry playlist: directly in `videos/<id>/`, the URL players are given. */
export const isEntryPlaylist = (objectKey: string) =>
  objectKey.startsWith(VIDEOS_PREFIX) && objectKey.endsWith('.m3u8') && objectKey.split('/').length === 3;

/** The title (video id) an object of the origin layout belongs to. */
export const titleOf = (objectKey: string) => objectKey.split('/')[1];

/** The version folder's name, `v<n>`; also how `versionsIn` recognises one. */
const versionFolder = (version: number) => `v${version}`;
const VERSION_FOLDER = /^v([1-9][0-9]*)$/;

/** Where an object of the folder is published as version `version` of its title. */
export function versionedObjectKey(objectKey: string, version: number): string {
  const [root, videoId, ...rest] = objectKey.split('/');
  if (`${root}/` === KEYS_PREFIX) {
    if (rest.length !== 1)
      throw new KeygateError(`${objectKey}: a key must sit directly in keys/<videoId>/ (the only key path the authorizer serves)`);
    return `${KEYS_PREFIX}${videoId}/${versionFolder(version)}-${rest[0]}`;
  }
  if (isEntryPlaylist(objectKey)) return objectKey;
  return `${VIDEOS_PREFIX}${videoId}/${versionFolder(version)}/${rest.join('/')}`;
}

/** The highest version among the names of the folders in `videos/<id>/` (1 for the unprefixed first publish). */
export function highestVersion(folderNames: string[]): number {
  return Math.max(1, ...folderNames.map((name) => Number(VERSION_FOLDER.exec(name)?.[1] ?? 0)));
}

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * One URI of a playlist published at `playlistKey`, as it must read in the same playlist published
 * as version `version`. Relative URIs stay relative (a path token before `/videos/` keeps working);
 * URIs outside the title, and absolute URLs, are left as written.
 */
function rewriteUri(uri: string, playlistKey: string, version: number): string {
  if (HAS_SCHEME.test(uri) || uri.startsWith('//')) return uri;
  const split = uri.search(/[?#]/);
  const path = split === -1 ? uri : uri.slice(0, split);
  const suffix = split === -1 ? '' : uri.slice(split);
  const target = path.startsWith('/') ? path.slice(1) : posix.normalize(posix.join(posix.dirname(playlistKey), path));
  const title = titleOf(playlistKey);
  if (!target.startsWith(`${VIDEOS_PREFIX}${title}/`) && !target.startsWith(`${KEYS_PREFIX}${title}/`)) return uri;
  const moved = versionedObjectKey(target, version);
  if (path.startsWith('/')) return `/${moved}${suffix}`;
  return posix.relative(posix.dirname(versionedObjectKey(playlistKey, version)), moved) + suffix;
}

/**
 * A playlist (master or media) of the origin folder, rewritten for version `version` of its title:
 * every URI line and every `URI="…"` attribute (#EXT-X-KEY, #EXT-X-MEDIA, #EXT-X-MAP, …) names the
 * versioned object.
 */
export function rewritePlaylistForVersion(text: string, playlistKey: string, version: number): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (!trimmed.startsWith('#')) return rewriteUri(trimmed, playlistKey, version);
      return line.replace(/URI="([^"]*)"/g, (_, uri: string) => `URI="${rewriteUri(uri, playlistKey, version)}"`);
    })
    .join('\n');
}

import { bucketRoleOf } from '../media/origin-layout';
import { KeygateError } from '../keygate-error';

/** One object a live packager stores: a key, a segment or a playlist, with the headers S3 keeps beside it. */
export interface LiveObject {
  /** The object key, `videos/<channel>/…` (media bucket) or `keys/<channel>/<name>.key` (key bucket). */
  key: string;
  body: Uint8Array;
  contentType: string;
  cacheControl: string;
}

/**
 * Where a live channel goes: the media and key buckets, or a local origin folder (what `keygate dev`
 * serves). A put resolves once the object is readable; the channel's state is a small document kept
 * beside the keys that no behavior serves.
 */
export interface LiveOrigin {
  put(object: LiveObject): Promise<void>;
  readState(channel: string): Promise<string | undefined>;
  writeState(channel: string, text: string): Promise<void>;
  /** Where it goes, for the status line. */
  readonly description: string;
}

/**
 * Live media playlists change every segment: a player reloads them every target duration, so a
 * cache may keep one for a second at most (CloudFront honours it: min TTL 0 on the media behavior).
 */
export const LIVE_PLAYLIST_CACHE_CONTROL = 'public, max-age=1';
/** The master playlist names the renditions only; it may be kept a little longer. */
export const LIVE_MASTER_CACHE_CONTROL = 'public, max-age=5';

/** The object key of a channel's state, outside videos/ and keys/: neither behavior can serve it. */
export const liveStateKey = (channel: string) => `live-state/${channel}.json`;

/** Refuses an object key outside videos/ and keys/: nothing else is published. */
export function assertPublishable(objectKey: string): void {
  if (bucketRoleOf(objectKey) === undefined)
    throw new KeygateError(`${objectKey} is neither under videos/ nor keys/: it would not be served`);
}

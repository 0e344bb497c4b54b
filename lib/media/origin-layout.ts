import { basename, dirname, extname, join } from 'node:path';

/**
 * The layout of an origin folder (what `keygate package` and `encrypt` write) and where each of its
 * objects is published. Keys and media go to different buckets, because CloudFront's default
 * behavior serves every object of the media bucket with no function at all: a key there is a key
 * for anyone who spells its path with `%2F`. `keygate publish` and `keygate dev`'s S3 model share
 * this one rule.
 */
export const VIDEOS_PREFIX = 'videos/';
export const KEYS_PREFIX = 'keys/';

export type BucketRole = 'media' | 'keys';

/** Which bucket an object key of the origin folder belongs in, or undefined when it is not published. */
export function bucketRoleOf(objectKey: string): BucketRole | undefined {
  if (objectKey.startsWith(KEYS_PREFIX)) return 'keys';
  if (objectKey.startsWith(VIDEOS_PREFIX)) return 'media';
  return undefined;
}

/** What a key object tells caches: CloudFront may keep it as long as a segment, nobody else at all. */
export const KEY_CACHE_CONTROL = 'max-age=0, s-maxage=31536000';

/** What each kind of file is, and how long browsers and CloudFront may keep it. */
const OBJECT_POLICY: Record<string, { contentType: string; cacheControl: string; order: number }> = {
  // Segments never change under a given name: cache them for a year.
  '.ts': { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable', order: 0 },
  // Keys: kept by CloudFront's edge cache (s-maxage; the authorizer runs before the cache on every
  // request), never by a browser: the /keys/* response headers policy replaces this header with
  // `private, no-store` towards viewers, and max-age=0 covers any other cache on the way.
  '.key': { contentType: 'application/octet-stream', cacheControl: KEY_CACHE_CONTROL, order: 1 },
  // Playlists last, so a player never sees one that names a segment not uploaded yet; short-lived so a re-publish shows.
  '.m3u8': { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'public, max-age=60', order: 2 },
};

export const objectPolicyOf = (objectKey: string) => OBJECT_POLICY[extname(objectKey)];

/**
 * The file beside a local origin object that holds the headers S3 would keep as its metadata, for
 * objects whose headers differ from their kind's (live playlists). Hidden, like every file whose
 * name starts with a dot: `keygate publish` skips those and the dev bucket model never serves them.
 */
export const objectHeadersFile = (path: string) => join(dirname(path), `.${basename(path)}.headers.json`);

/** The headers a local origin folder keeps beside an object. */
export interface StoredObjectHeaders {
  'content-type': string;
  'cache-control': string;
}

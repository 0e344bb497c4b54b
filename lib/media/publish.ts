import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bucketRoleOf, KEYS_PREFIX, objectPolicyOf, VIDEOS_PREFIX, type BucketRole } from './origin-layout';
import { KeygateError } from '../keygate-error';
import { keysPublishedWithOtherBytes, TitleAlreadyPublishedError } from './republish-guard';
import { highestVersion, isEntryPlaylist, rewritePlaylistForVersion, titleOf, versionedObjectKey } from './title-version';

const CHECKSUM_METADATA = 'keygate-sha256';

export interface PublishTarget {
  region: string;
  profile?: string;
  /** An S3-compatible endpoint (tests, MinIO); path-style addressing is then used. */
  endpoint?: string;
}

export interface PublishReport {
  uploaded: string[];
  skipped: string[];
  ignored: string[];
  bytesUploaded: number;
  /** The video ids the folder holds (what an invalidation must cover). */
  videoIds: string[];
  /** With `replace`: the version each title was published as. */
  versions: Record<string, number>;
}

/** The two buckets of a deployment (stack outputs MediaBucketName and KeyBucketName). */
export interface PublishBuckets {
  media: string;
  /** Needed when the folder holds keys; never the media bucket. */
  keys?: string;
}

interface LocalObject {
  path: string;
  key: string;
  size: number;
  bucket: string;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export function s3ClientFor(target: PublishTarget): S3Client {
  return new S3Client({
    region: target.region,
    maxAttempts: 5,
    ...(target.profile ? { profile: target.profile } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    // Plain PUTs without aws-chunked trailers: every S3-compatible server understands them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Refuses a pair of buckets that would put keys where an ungated behavior can read them. */
export async function checkBuckets(dir: string, client: S3Client, buckets: PublishBuckets, hasKeys: boolean, signal?: AbortSignal) {
  if (buckets.keys !== undefined && buckets.keys.toLowerCase() === buckets.media.toLowerCase()) {
    throw new KeygateError(
      `the key bucket and the media bucket are both ${buckets.media}: keys must live in a bucket of their own, or anyone can read them through the media behavior`,
    );
  }
  if (hasKeys && buckets.keys === undefined) throw new KeygateError(`${dir} holds keys/ and no key bucket was given`, 'keyBucket');
  // A deployment from before the key bucket still has keys in the media bucket: publishing more
  // there, or beside them, would keep the leak open. Stop until they are moved.
  const listing = await client.send(new ListObjectsV2Command({ Bucket: buckets.media, Prefix: KEYS_PREFIX, MaxKeys: 1 }), {
    abortSignal: signal,
  });
  if ((listing.KeyCount ?? listing.Contents?.length ?? 0) > 0) {
    throw new KeygateError(
      `the media bucket ${buckets.media} holds keys (${listing.Contents?.[0]?.Key ?? KEYS_PREFIX}): move them to the key bucket and delete them from the media bucket first (README: "Moving keys out of the media bucket")`,
    );
  }
}

/**
 * Uploads an origin folder to S3: videos/ to the media bucket, keys/ to the key bucket, with the
 * right Content-Type and Cache-Control, skipping objects already there with the same SHA-256 (so
 * an interrupted run resumes), segments first, then keys, playlists last, `concurrency` at a time.
 * Refuses, before uploading anything, a title whose keys are already published with other bytes,
 * unless `overwriteKeys` (the caller then invalidates CloudFront's caches of the title). With
 * `replace`, each title is published as a new version beside the old ones (see title-version.ts).
 */
export async function publishOrigin(
  dir: string,
  client: S3Client,
  buckets: PublishBuckets,
  options: {
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    overwriteKeys?: boolean;
    replace?: boolean;
  } = {},
): Promise<PublishReport> {
  const roots = ['videos', 'keys'].filter((d) => existsSync(join(dir, d)));
  if (roots.length === 0)
    throw new KeygateError(`${dir} holds neither videos/ nor keys/: publish the output folder of keygate package or encrypt`);
  const report: PublishReport = { uploaded: [], skipped: [], ignored: [], bytesUploaded: 0, videoIds: [], versions: {} };
  let objects: LocalObject[] = [];
  const bucketFor: Record<BucketRole, string | undefined> = { media: buckets.media, keys: buckets.keys };
  for (const path of roots.flatMap((root) => listFiles(join(dir, root)))) {
    const key = relative(dir, path).split(sep).join('/');
    const role = bucketRoleOf(key);
    if (role && objectPolicyOf(key) && !key.includes('/.'))
      objects.push({ path, key, size: statSync(path).size, bucket: bucketFor[role] as string });
    else report.ignored.push(key);
  }
  report.videoIds = [
    ...new Set(
      objects
        .map((o) => o.key.split('/'))
        .filter((parts) => parts.length > 2)
        .map((parts) => parts[1]),
    ),
  ].sort();
  await checkBuckets(
    dir,
    client,
    buckets,
    objects.some((o) => bucketRoleOf(o.key) === 'keys'),
    options.signal,
  );
  const staging = options.replace ? mkdtempSync(join(tmpdir(), 'keygate-publish-')) : undefined;
  try {
    if (staging) {
      for (const videoId of new Set(objects.map((o) => titleOf(o.key))))
        report.versions[videoId] = 1 + (await highestPublishedVersion(client, buckets.media, videoId, options.signal));
      objects = objects.map((o) => asVersion(o, report.versions[titleOf(o.key)], staging));
    }
    await uploadObjects(objects, client, buckets, report, options);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
  return report;
}

/**
 * The highest version of a title in the media bucket: 1 when only its first, unprefixed, publish is
 * there. Reads every object name under `videos/<id>/v`: with a delimiter, s3rver (the tests' S3)
 * reports only the first common prefix.
 */
async function highestPublishedVersion(client: S3Client, bucket: string, videoId: string, signal?: AbortSignal): Promise<number> {
  const prefix = `${VIDEOS_PREFIX}${videoId}/`;
  const folders = new Set<string>();
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}v`, ContinuationToken }), {
      abortSignal: signal,
    });
    for (const { Key } of page.Contents ?? []) if (Key?.includes('/', prefix.length)) folders.add(Key.slice(prefix.length).split('/')[0]);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return highestVersion([...folders]);
}

/** An object of the folder as version `version` of its title: renamed, and a playlist rewritten into `staging`. */
function asVersion(object: LocalObject, version: number, staging: string): LocalObject {
  const key = versionedObjectKey(object.key, version);
  if (!object.key.endsWith('.m3u8')) return { ...object, key };
  const path = join(staging, key.split('/').join('_'));
  writeFileSync(path, rewritePlaylistForVersion(readFileSync(object.path, 'utf8'), object.key, version));
  return { ...object, key, path, size: statSync(path).size };
}

async function uploadObjects(
  objects: LocalObject[],
  client: S3Client,
  buckets: PublishBuckets,
  report: PublishReport,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal; overwriteKeys?: boolean },
): Promise<void> {
  // Before anything is uploaded: a refusal leaves both buckets exactly as they were.
  const localKeys = objects.filter((o) => bucketRoleOf(o.key) === 'keys');
  if (localKeys.length > 0 && !options.overwriteKeys) {
    const replaced = await keysPublishedWithOtherBytes(localKeys, client, buckets.keys as string, options);
    if (replaced.length > 0) throw new TitleAlreadyPublishedError(replaced);
  }
  // Each phase (segments, keys, playlists, then entry playlists) completes before the next one
  // starts: a player never sees a playlist naming an object not uploaded yet.
  const phaseOf = (key: string) => objectPolicyOf(key).order + (isEntryPlaylist(key) ? 1 : 0);
  let done = 0;
  for (const phase of [0, 1, 2, 3]) {
    const queue = objects.filter((o) => phaseOf(o.key) === phase).sort((a, b) => a.key.localeCompare(b.key));
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        options.signal?.throwIfAborted();
        await publishObject(next, client, report, options.signal);
        options.onProgress?.(++done, objects.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  }
}

async function publishObject(object: LocalObject, client: S3Client, report: PublishReport, signal?: AbortSignal): Promise<void> {
  const bucket = object.bucket;
  const checksum = await sha256(object.path);
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: object.key }), { abortSignal: signal });
    if (head.Metadata?.[CHECKSUM_METADATA] === checksum) {
      report.skipped.push(object.key);
      return;
    }
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  const policy = objectPolicyOf(object.key);
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket,
      Key: object.key,
      Body: createReadStream(object.path),
      ContentType: policy.contentType,
      CacheControl: policy.cacheControl,
      Metadata: { [CHECKSUM_METADATA]: checksum },
    },
  });
  signal?.addEventListener('abort', () => void upload.abort(), { once: true });
  await upload.done();
  report.uploaded.push(object.key);
  report.bytesUploaded += object.size;
}

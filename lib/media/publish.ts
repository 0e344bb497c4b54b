import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishError';
  }
}

/** What each kind of file is, and how long browsers and CloudFront may keep it. */
export const OBJECT_POLICY: Record<string, { contentType: string; cacheControl: string; order: number }> = {
  // Segments never change under a given name: cache them for a year.
  '.ts': { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable', order: 0 },
  // Keys go to CloudFront's /keys/* behavior, which adds no-store towards viewers as well.
  '.key': { contentType: 'application/octet-stream', cacheControl: 'private, no-store', order: 1 },
  // Playlists last, so a player never sees one that names a segment not uploaded yet; short-lived so a re-publish shows.
  '.m3u8': { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'public, max-age=60', order: 2 },
};

export const CHECKSUM_METADATA = 'keygate-sha256';

export interface PublishTarget {
  bucket: string;
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
}

interface LocalObject {
  path: string;
  key: string;
  size: number;
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

/**
 * Uploads an origin folder (videos/ and keys/) to S3 with the right Content-Type and Cache-Control,
 * skipping objects already there with the same SHA-256 (so an interrupted run resumes), segments
 * first and playlists last, `concurrency` at a time.
 */
export async function publishOrigin(
  dir: string,
  client: S3Client,
  bucket: string,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<PublishReport> {
  const roots = ['videos', 'keys'].filter((d) => existsSync(join(dir, d)));
  if (roots.length === 0)
    throw new PublishError(`${dir} holds neither videos/ nor keys/: publish the --out folder of keygate package or encrypt`);
  const report: PublishReport = { uploaded: [], skipped: [], ignored: [], bytesUploaded: 0 };
  const objects: LocalObject[] = [];
  for (const path of roots.flatMap((root) => listFiles(join(dir, root)))) {
    const key = relative(dir, path).split(sep).join('/');
    if (OBJECT_POLICY[extname(path)] && !key.includes('/.')) objects.push({ path, key, size: statSync(path).size });
    else report.ignored.push(key);
  }
  objects.sort((a, b) => OBJECT_POLICY[extname(a.key)].order - OBJECT_POLICY[extname(b.key)].order || a.key.localeCompare(b.key));

  // Each phase (segments, keys, playlists) completes before the next one starts.
  let done = 0;
  for (const order of [0, 1, 2]) {
    const queue = objects.filter((o) => OBJECT_POLICY[extname(o.key)].order === order);
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        options.signal?.throwIfAborted();
        await publishObject(next, client, bucket, report, options.signal);
        options.onProgress?.(++done, objects.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  }
  return report;
}

async function publishObject(
  object: LocalObject,
  client: S3Client,
  bucket: string,
  report: PublishReport,
  signal?: AbortSignal,
): Promise<void> {
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
  const policy = OBJECT_POLICY[extname(object.key)];
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

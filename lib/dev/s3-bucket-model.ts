import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { bucketRoleOf, objectHeadersFile, objectPolicyOf, type BucketRole, type StoredObjectHeaders } from '../media/origin-layout';

/**
 * A local folder standing in for an S3 bucket: each file is the object whose key is its path
 * relative to the folder, and `holds` says which of those objects the bucket really has (a
 * deployment publishes one origin folder into two buckets).
 */
export interface S3BucketModel {
  dir: string;
  holds(objectKey: string): boolean;
  /** CloudFront's OAC may also ListBucket (the key bucket): a missing object is then a 404, and `/` a listing. */
  listable?: boolean;
}

/** The two buckets `keygate publish` would fill from an origin folder: media, and keys. */
export function publishedBuckets(originDir: string): Record<BucketRole, S3BucketModel> {
  const bucket = (role: BucketRole): S3BucketModel => ({
    dir: originDir,
    holds: (key) => bucketRoleOf(key) === role,
    listable: role === 'keys',
  });
  return { media: bucket('media'), keys: bucket('keys') };
}

/**
 * The object key S3 reads for a request path: everything after the first `/`, fully
 * percent-decoded (`%2F` becomes `/`, `%5C` a backslash), with no dot-segment removal and no
 * slash collapsing. Undefined for a path S3 would refuse as malformed.
 */
export function s3ObjectKeyFor(rawPath: string): string | undefined {
  try {
    return decodeURIComponent(rawPath.slice(1));
  } catch {
    return undefined;
  }
}

/** The file holding the bucket's object of that key, if the bucket has such an object. */
export function objectFile(bucket: S3BucketModel, objectKey: string): string | undefined {
  const segments = objectKey.split('/');
  // A published object's key never has an empty, `.` or `..` segment: S3 keeps such keys
  // literally, so they name no object here, and they must not walk the folder either. Hidden files
  // (an object's stored headers) are never published either (keygate publish skips them).
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('\0')) || !bucket.holds(objectKey)) return undefined;
  const path = join(resolve(bucket.dir), ...segments);
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The headers stored with an object (S3 metadata; a live playlist's short Cache-Control), when they are not its kind's usual ones. */
function storedHeaders(path: string): StoredObjectHeaders | undefined {
  try {
    return JSON.parse(readFileSync(objectHeadersFile(path), 'utf8')) as StoredObjectHeaders;
  } catch {
    return undefined;
  }
}

const s3Error = (res: ServerResponse, status: number, code: string, headers: Record<string, string>): number => {
  res
    .writeHead(status, { 'content-type': 'application/xml', ...headers })
    .end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>`);
  return status;
};

/**
 * Answers as the S3 origin behind Origin Access Control does: the object with the Content-Type and
 * Cache-Control `keygate publish` gave it; for a missing object 403 AccessDenied when CloudFront may
 * only GetObject (S3 then hides whether it exists), 404 NoSuchKey when it may also ListBucket (and
 * then `/` lists the bucket); 400 for a malformed path.
 */
export function serveS3Object(
  bucket: S3BucketModel,
  rawPath: string,
  method: string,
  res: ServerResponse,
  policyHeaders: Record<string, string> = {},
): number {
  const objectKey = s3ObjectKeyFor(rawPath);
  if (objectKey === undefined) return s3Error(res, 400, 'InvalidURI', policyHeaders);
  if (method !== 'GET' && method !== 'HEAD') return s3Error(res, 403, 'AccessDenied', policyHeaders);
  if (objectKey === '' && bucket.listable) {
    const keys = (readdirSync(bucket.dir, { recursive: true, encoding: 'utf8' }) as string[])
      .map((name) => name.split(sep).join('/'))
      .filter((key) => bucket.holds(key) && objectFile(bucket, key) !== undefined);
    res
      .writeHead(200, { 'content-type': 'application/xml', ...policyHeaders })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>${keys.map((k) => `<Contents><Key>${k}</Key></Contents>`).join('')}</ListBucketResult>`,
      );
    return 200;
  }
  const missing = () =>
    bucket.listable ? s3Error(res, 404, 'NoSuchKey', policyHeaders) : s3Error(res, 403, 'AccessDenied', policyHeaders);
  const path = objectFile(bucket, objectKey);
  if (!path) return missing();
  const policy = objectPolicyOf(objectKey);
  const stored = storedHeaders(path);
  // One read gives the length and the bytes of the same version: a live packager replaces playlists
  // (write and rename) every segment, and a length taken before an open that happens a tick later
  // promised bytes the new version did not have, leaving the player's connection waiting for them.
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch {
    // Deleted since it was found: missing, as S3 would say of it now.
    return missing();
  }
  res.writeHead(200, {
    'content-type': stored?.['content-type'] ?? policy?.contentType ?? 'application/octet-stream',
    'cache-control': stored?.['cache-control'] ?? policy?.cacheControl ?? 'no-cache',
    'content-length': body.length,
    // The behavior's response-headers policy overrides what the origin said.
    ...policyHeaders,
  });
  res.end(method === 'HEAD' ? undefined : body);
  return 200;
}

import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { OBJECT_POLICY } from '../media/publish';

/**
 * Maps a raw request path to a file of the origin folder the way S3 maps it to an object key: each
 * segment percent-decoded, nothing normalized. A `.` or `..` segment, or one that decodes to a
 * separator, has no S3 object to match, so it matches no file here either; otherwise
 * `/videos/..%2fkeys/…` would hand out keys without the authorizer ever seeing the request.
 */
export function originFileFor(originDir: string, rawPath: string): string | undefined {
  const root = resolve(originDir);
  const segments: string[] = [];
  for (const raw of rawPath.split('/').filter((s) => s !== '')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  const path = join(root, ...segments);
  if (!path.startsWith(root + sep)) return undefined;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Answers like the S3 origin would: the file with the content type and Cache-Control `keygate publish` sets, or 404. */
export function serveOriginFile(
  originDir: string,
  rawPath: string,
  method: string,
  res: ServerResponse,
  policyHeaders: Record<string, string> = {},
): number {
  const path = originFileFor(originDir, rawPath);
  if (!path) {
    res.writeHead(404, { 'content-type': 'text/plain', ...policyHeaders }).end('Not Found\n');
    return 404;
  }
  const policy = OBJECT_POLICY[extname(path)];
  res.writeHead(200, {
    'content-type': policy?.contentType ?? 'application/octet-stream',
    'cache-control': policy?.cacheControl ?? 'no-cache',
    'content-length': statSync(path).size,
    // The behavior's response-headers policy overrides what the origin said.
    ...policyHeaders,
  });
  if (method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
  return 200;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

/** Lambda@Edge's limit for a viewer-request function's package, which applies to the zip. */
export const EDGE_VIEWER_REQUEST_ZIPPED_LIMIT_BYTES = 1024 * 1024;

// The zip format's fixed overhead: a local header and a central directory record per entry
// (each followed by the entry's name), and one end-of-central-directory record.
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_RECORD_BYTES = 46;
const END_RECORD_BYTES = 22;
/** The CDK CLI zips assets with yazl, which deflates at zlib's default level. */
const CDK_DEFLATE_LEVEL = 6;

/**
 * The size of the zip the CDK CLI uploads for the asset directory `dir` (`Code.fromAsset`), to the
 * byte: every file under it deflated at level 6, with DOS timestamps only, so no extra fields and,
 * sizes being known, no data descriptors.
 */
export function zippedSize(dir: string): number {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => statSync(join(dir, name)).isFile());
  let total = END_RECORD_BYTES;
  for (const name of names) {
    const deflated = deflateRawSync(readFileSync(join(dir, name)), { level: CDK_DEFLATE_LEVEL }).length;
    total += deflated + LOCAL_HEADER_BYTES + CENTRAL_RECORD_BYTES + 2 * Buffer.byteLength(name);
  }
  return total;
}

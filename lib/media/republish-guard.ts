import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { KeygateError } from '../keygate-error';

/**
 * Re-packaging a title makes new random keys under the same names. CloudFront keeps keys at the edge
 * for at least a day and segments for longer, so uploading them over the old ones would give viewers
 * new segments with old keys (or the reverse) until the caches let go. `keygate publish` therefore
 * refuses, before it uploads anything, a key object whose name is taken by other bytes, unless told
 * to publish a new version beside the old one (`--replace`) or to invalidate the caches (`--invalidate`).
 */
export class TitleAlreadyPublishedError extends KeygateError {
  constructor(readonly replacedKeys: string[]) {
    const [first] = replacedKeys;
    const title = first.split('/')[1];
    super(
      `${title} is already published with other keys (${replacedKeys.length} key${replacedKeys.length === 1 ? '' : 's'} differ, e.g. ${first}); nothing was uploaded: ` +
        `edge caches would mix old and new keys and segments for a day. Publish it as a new version (--replace), or under a new video id (README "Re-publishing a title")`,
    );
  }
}

/** A key object of the folder: where it is read from, and its name in the key bucket. */
export interface LocalKey {
  path: string;
  key: string;
}

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** The names of the folder's keys that the key bucket already holds with other bytes (a key is 16 bytes: compare them all). */
export async function keysPublishedWithOtherBytes(
  keys: LocalKey[],
  client: S3Client,
  bucket: string,
  options: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const differing: string[] = [];
  const queue = [...keys];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      options.signal?.throwIfAborted();
      let stored: Uint8Array;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: next.key }), { abortSignal: options.signal });
        stored = await object.Body!.transformToByteArray();
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw error;
      }
      if (!Buffer.from(stored).equals(await readFile(next.path))) differing.push(next.key);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return differing.sort();
}

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { KEY_CACHE_CONTROL, objectPolicyOf } from '../media/origin-layout';
import { liveKeyObjectKey } from './live-key-material';
import { storedKeyBytes, type LiveKeyStore, type StoredKey } from './live-key-store';

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * The key bucket on S3. The write is conditional (`If-None-Match: *`): S3 refuses it with 412 when
 * the object exists, and the key already there is read back and used. Two requests racing for a new
 * period therefore answer the same key. (A 409 ConditionalRequestConflict, two writes in flight at
 * once, is thrown: the provider answers 503 and the encryptor retries.)
 */
export class S3LiveKeyStore implements LiveKeyStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async storeKeyOnce(channel: string, name: string, key: Uint8Array): Promise<StoredKey> {
    const objectKey = liveKeyObjectKey(channel, name);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: key,
          ContentType: objectPolicyOf(objectKey).contentType,
          CacheControl: KEY_CACHE_CONTROL,
          IfNoneMatch: '*',
        }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
      return { key, created: true };
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
    }
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }), {
      abortSignal: AbortSignal.timeout(this.timeoutMs),
    });
    const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    return { key: storedKeyBytes(objectKey, bytes), created: false };
  }
}

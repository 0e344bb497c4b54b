import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketRoleOf } from '../media/origin-layout';
import { checkBuckets, type PublishBuckets } from '../media/publish';
import { assertPublishable, liveStateKey, type LiveObject, type LiveOrigin } from './live-origin';

/**
 * The deployment's two buckets (stack outputs MediaBucketName and KeyBucketName): segments and
 * playlists to the media bucket, keys and the channel's state to the key bucket, which only the
 * authorizer reaches and which it forwards nothing but key paths to.
 */
export class S3LiveOrigin implements LiveOrigin {
  readonly description: string;

  private constructor(
    private readonly client: S3Client,
    private readonly buckets: Required<PublishBuckets>,
  ) {
    this.description = `s3://${buckets.media} and s3://${buckets.keys}`;
  }

  /** Checks the pair of buckets as `keygate publish` does (apart, and no keys left in the media bucket) before anything is written. */
  static async open(client: S3Client, buckets: Required<PublishBuckets>, signal?: AbortSignal): Promise<S3LiveOrigin> {
    await checkBuckets(`the live channel`, client, buckets, true, signal);
    return new S3LiveOrigin(client, buckets);
  }

  async put(object: LiveObject): Promise<void> {
    assertPublishable(object.key);
    const bucket = bucketRoleOf(object.key) === 'keys' ? this.buckets.keys : this.buckets.media;
    await this.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
      }),
    );
  }

  async readState(channel: string): Promise<string | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.buckets.keys, Key: liveStateKey(channel) }));
      return await answer.Body?.transformToString('utf8');
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async writeState(channel: string, text: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.buckets.keys,
        Key: liveStateKey(channel),
        Body: text,
        ContentType: 'application/json',
        CacheControl: 'no-store',
      }),
    );
  }
}

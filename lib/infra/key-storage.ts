import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateOriginBucket } from './private-origin-bucket';

export interface KeyStorageProps {
  /** Where the key bucket's S3 access logs go. */
  logBucket: s3.IBucket;
}

/**
 * The key bucket: the 16-byte AES keys and nothing else. It is the origin of the keys behavior only,
 * so every request that reaches it has passed the key authorizer. Keys never share a bucket with
 * media: the default behavior reads its whole origin, and S3 decodes `%2F` where CloudFront's
 * behavior matching does not, so `/keys%2F<id>%2F0.key` would reach any key kept beside the media.
 */
export class KeyStorage extends Construct {
  readonly keyBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: KeyStorageProps) {
    super(scope, id);
    // Retained, like every origin bucket: a lost key is a title nobody can play again.
    this.keyBucket = privateOriginBucket(this, 'KeyBucket', { logBucket: props.logBucket, logPrefix: 's3-access-keys/' });
  }
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
    this.keyBucket = new s3.Bucket(this, 'KeyBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A lost key is a title nobody can play again: keep the bucket when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 's3-access-keys/',
      // Re-encrypting a title replaces its keys; keep the old ones long enough to roll back.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
  }
}

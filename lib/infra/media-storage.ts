import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateOriginBucket } from './private-origin-bucket';

export interface MediaStorageProps {
  logRetentionDays: number;
}

/**
 * The private media bucket (playlists and segments under `videos/`, never keys: those live in the
 * key bucket) and the bucket the S3 access logs land in (CloudFront's go to AccessLogs). Only
 * CloudFront, through Origin Access Control, can read media.
 */
export class MediaStorage extends Construct {
  readonly mediaBucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaStorageProps) {
    super(scope, id);
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // S3 log delivery is granted by bucket policy (the serverAccessLogsUseBucketPolicy flag in
      // cdk.json), so the bucket needs no ACL and can refuse them altogether.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging it into itself would loop and another log bucket would need the same exemption.',
    });

    this.mediaBucket = privateOriginBucket(this, 'MediaBucket', { logBucket: this.logBucket, logPrefix: 's3-access/' });
  }
}

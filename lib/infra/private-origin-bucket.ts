import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * A bucket CloudFront reads through Origin Access Control and nobody else: public access blocked,
 * SSE, SSL only, owner-enforced, versioned (old versions kept 30 days, to roll back a re-publish),
 * access-logged, and retained when the stack goes (it holds what was sold).
 */
export function privateOriginBucket(scope: Construct, id: string, props: { logBucket: s3.IBucket; logPrefix: string }): s3.Bucket {
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: props.logBucket,
    serverAccessLogsPrefix: props.logPrefix,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
  });
}

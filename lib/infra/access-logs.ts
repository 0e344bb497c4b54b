import { Aws, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The fields CloudFront's access logs keep. Left out on purpose: `cs-uri-query` (a `?token=`
 * would sit there for the retention period, readable by anyone with log access), `cs(Cookie)`
 * (the token cookie), `cs(Referer)` (a page URL may carry a token too) and the free-text
 * `viewer-*-log-data` fields. Legacy standard logging cannot leave out fields, so it is not used.
 */
const ACCESS_LOG_FIELDS = [
  'date',
  'time',
  'timestamp(ms)',
  'x-edge-location',
  'c-ip',
  'c-port',
  'c-country',
  'cs-method',
  'cs(Host)',
  'x-host-header',
  'cs-uri-stem',
  'cs-protocol',
  'cs-protocol-version',
  'cs(User-Agent)',
  'cs-bytes',
  'sc-status',
  'sc-bytes',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'time-taken',
  'time-to-first-byte',
  'x-edge-result-type',
  'x-edge-response-result-type',
  'x-edge-detailed-result-type',
  'x-edge-request-id',
  'ssl-protocol',
  'ssl-cipher',
  'cache-behavior-path-pattern',
];

export interface AccessLogsProps {
  distributionArn: string;
  retentionDays: number;
}

/**
 * CloudFront standard logging (v2) into a bucket of its own, with the field list above. CloudWatch
 * Logs accepts CloudFront delivery sources only in us-east-1, so this construct must be in a
 * us-east-1 stack (the Keygate stack itself, or a small companion stack).
 */
export class AccessLogs extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (stack.region !== 'us-east-1') throw new Error(`AccessLogs must be in a us-east-1 stack, not ${stack.region}`);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Vended log delivery writes without ACLs, so the bucket can refuse them altogether.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds CloudFront access logs; logging its own access would need yet another log bucket with the same exemption.',
    });
    // Written exactly as the log delivery service would add it, so a deploy never fights it.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSLogDeliveryWrite',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
        conditions: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:logs:us-east-1:${Aws.ACCOUNT_ID}:delivery-source:*` },
        },
      }),
    );

    // One delivery source per distribution, under a name that never changes (a rename would collide).
    const source = new logs.CfnDeliverySource(this, 'Source', {
      name: Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }),
      logType: 'ACCESS_LOGS',
      resourceArn: props.distributionArn,
    });
    const destination = new logs.CfnDeliveryDestination(this, 'Destination', {
      name: Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }),
      deliveryDestinationType: 'S3',
      destinationResourceArn: this.bucket.bucketArn,
      outputFormat: 'w3c',
    });
    if (this.bucket.policy) destination.node.addDependency(this.bucket.policy);
    new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: source.ref,
      deliveryDestinationArn: destination.attrArn,
      recordFields: ACCESS_LOG_FIELDS,
      s3SuffixPath: '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}',
    });
  }
}

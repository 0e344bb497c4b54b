import { Aws, type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKeyProviderBundle } from '../build/key-provider-bundle';
import { KEY_PROVIDER_ENV } from '../live/key-provider-lambda';

export interface LiveKeyProviderProps {
  keyBucket: s3.IBucket;
  channels: readonly string[];
  /** The distribution's address, like https://d111.cloudfront.net: the URI playlists name for each key. */
  keyUriBase: string;
  logRetentionDays: number;
}

/**
 * Keygate's SPEKE key provider, deployed: a regional Lambda behind a function URL with AWS_IAM auth.
 * A function URL rather than API Gateway: one resource, no stage or integration, SigV4 checked by
 * Lambda itself; API Gateway's extras (throttling per key, WAF, custom domains) serve no purpose for
 * one caller (MediaPackage) and one admin. MediaPackage calls it with `spekeRole`, which may invoke
 * this function (through its URL) and nothing else; the function may write and read back only `keys/<channel>/*` of the
 * configured channels in the key bucket.
 */
export class LiveKeyProvider extends Construct {
  readonly function: lambda.Function;
  readonly url: lambda.FunctionUrl;
  /** The role MediaPackage assumes to ask for keys. */
  readonly spekeRole: iam.Role;

  constructor(scope: Construct, id: string, props: LiveKeyProviderProps) {
    super(scope, id);
    const bundleDir = mkdtempSync(join(tmpdir(), 'keygate-key-provider-'));
    buildKeyProviderBundle(bundleDir);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.function = new lambda.Function(this, 'Function', {
      description: 'Keygate live key provider: SPEKE v2.0 for MediaPackage, keys stored in the key bucket first',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDir),
      memorySize: 256,
      timeout: Duration.seconds(10),
      logGroup,
      environment: {
        [KEY_PROVIDER_ENV.keyBucket]: props.keyBucket.bucketName,
        [KEY_PROVIDER_ENV.channels]: props.channels.join(','),
        [KEY_PROVIDER_ENV.keyUriBase]: props.keyUriBase,
      },
    });
    // Write a new key, or read back the one already there (a repeated period): only the channels' own key folders.
    const channelKeys = props.channels.map((channel) => props.keyBucket.arnForObjects(`keys/${channel}/*`));
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: channelKeys }));
    // And the bucket says so too: whatever policy the role is later given, the key bucket refuses it anything else.
    props.keyBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LiveKeyProviderOnlyWritesLiveKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.ArnPrincipal((this.function.role as iam.IRole).roleArn)],
        actions: ['s3:*'],
        notResources: channelKeys,
      }),
    );

    this.url = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.spekeRole = new iam.Role(this, 'SpekeRole', {
      description: 'Assumed by MediaPackage to ask the Keygate key provider for keys (SPEKE): invokes that function URL only',
      assumedBy: new iam.ServicePrincipal('mediapackage.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.spekeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunctionUrl'],
        resources: [this.function.functionArn],
        conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      }),
    );
    // Function URLs created since October 2025 also need InvokeFunction on the function (Lambda's
    // "Control access to function URLs"): the same one function, nothing more.
    this.spekeRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only allows writing the function’s own logs.',
    });
    // One finding per channel folder; the logical id of the bucket is part of each finding's id.
    const keyBucketArn = `<${Stack.of(this).getLogicalId(props.keyBucket.node.defaultChild as CfnElement)}.Arn>`;
    for (const channel of props.channels) {
      Validations.of(this.function.role as iam.Role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${keyBucketArn}/keys/${channel}/*]`,
        reason: `The key objects of live channel ${channel} only: keys are named by key period, which the function cannot know in advance.`,
      });
    }
  }
}

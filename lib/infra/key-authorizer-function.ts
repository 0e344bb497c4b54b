import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthorizerConfig } from '../../lambda/key-authorizer/authorizer-config';
import { LEASE_ATTRIBUTES, PARTITION_KEY, SORT_KEY } from '../../lambda/key-authorizer/entitlement-schema';
import { buildAuthorizerBundle } from '../build/authorizer-bundle';
import { EdgeLogRetention } from './edge-log-retention';

/** The attributes a lease write may name (in its item, update or condition): the keys and the lease's own. */
export const LEASE_WRITE_ATTRIBUTES = [PARTITION_KEY, SORT_KEY, ...Object.keys(LEASE_ATTRIBUTES)];

export interface KeyAuthorizerFunctionProps {
  config: AuthorizerConfig;
  /** Retention of the function's log groups, and the regions whose replicas write them. */
  logRetentionDays: number;
  logRegions: readonly string[];
}

/**
 * The key authorizer as a Lambda@Edge function (created in us-east-1, replicated by CloudFront).
 * The bundle is built at synth by the same code as `npm run build` and `keygate dev`, config baked in.
 * The asset is hashed from the built files, so any change of code or config makes a new version.
 */
export class KeyAuthorizerFunction extends Construct {
  readonly function: cloudfront.experimental.EdgeFunction;
  readonly logRetention: EdgeLogRetention;

  constructor(scope: Construct, id: string, props: KeyAuthorizerFunctionProps) {
    super(scope, id);
    const bundleDir = mkdtempSync(join(tmpdir(), 'keygate-authorizer-'));
    buildAuthorizerBundle(props.config, bundleDir);

    this.function = new cloudfront.experimental.EdgeFunction(this, 'Function', {
      description: 'Keygate key authorizer: viewer-request on /keys/*',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDir),
      memorySize: 128,
      timeout: Duration.seconds(5),
      // A version CloudFront still replicates cannot be deleted; CloudFormation's cleanup of the old one
      // would fail noisily on every deploy. Keep old versions (they cost nothing idle).
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });

    const tableInEveryReplica = props.config.replicaRegions.map(
      (region) => `arn:${Aws.PARTITION}:dynamodb:${region}:${Aws.ACCOUNT_ID}:table/${props.config.tableName}`,
    );
    // Reads of the table in every region that holds a replica: the entitlement items, and (Query) a viewer's leases.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], resources: tableInEveryReplica }),
    );
    // Stream limits write leases, and only leases: every attribute a write names must be a lease
    // attribute, so this role cannot write grantedAt, maxStreams or revokedBefore, i.e. grant or unrevoke.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: tableInEveryReplica,
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': LEASE_WRITE_ATTRIBUTES } },
      }),
    );

    // Beside the function (in us-east-1), where its generated name resolves.
    this.logRetention = new EdgeLogRetention(this.function.lambda, 'EdgeLogRetention', {
      edgeFunction: this.function.lambda,
      retentionDays: props.logRetentionDays,
      regions: props.logRegions,
    });

    Validations.of(this.function.lambda).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole only allows writing the function’s own logs; Lambda@Edge writes them in whichever region serves the viewer, so log group ARNs cannot be listed in advance.',
    });
    Validations.of(this.function.lambda).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the newest runtime Lambda@Edge supports for viewer-request functions.',
    });
  }
}

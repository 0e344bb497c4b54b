import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthorizerConfig } from '../../lambda/key-authorizer/contract';
import { buildAuthorizerBundle } from '../build/authorizer-bundle';
import { EdgeLogRetention } from './edge-log-retention';

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

    const inEveryReplica = (tableName: string) =>
      props.config.replicaRegions.map((region) => `arn:${Aws.PARTITION}:dynamodb:${region}:${Aws.ACCOUNT_ID}:table/${tableName}`);
    // The entitlement table is only read (one BatchGetItem per lookup): this role can neither grant,
    // raise a limit nor lift a revocation. One ARN per replica region: grantReadData would name only the primary.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: inEveryReplica(props.config.tableName) }),
    );
    // Stream limits read and write leases in their own table. Never DeleteItem: a lease given back
    // lapses (an update), and the table's TTL deletes old leases.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: inEveryReplica(props.config.leaseTableName),
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

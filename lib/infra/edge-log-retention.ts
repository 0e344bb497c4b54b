import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface EdgeLogRetentionProps {
  /** The edge function as created in us-east-1 (`EdgeFunction.lambda`). */
  edgeFunction: lambda.IFunction;
  retentionDays: number;
  /** Every region where a replica of the function may run and write its logs. */
  regions: readonly string[];
}

/**
 * Retention for the edge function's logs. Each replica logs to `/aws/lambda/us-east-1.<name>` in the
 * region that ran it, a log group Lambda creates on first use with no expiry. A LogRetention custom
 * resource per region creates it (or finds it) and sets the retention; it lives beside the function,
 * in us-east-1, where the generated function name resolves. The function's own us-east-1 group
 * (`/aws/lambda/<name>`, created by CDK) gets the same retention.
 */
export class EdgeLogRetention extends Construct {
  readonly logGroupNames: { region: string; logGroupName: string }[];

  constructor(scope: Construct, id: string, props: EdgeLogRetentionProps) {
    super(scope, id);
    const retention = props.retentionDays as logs.RetentionDays;
    this.logGroupNames = props.regions.map((region) => ({
      region,
      logGroupName: `/aws/lambda/us-east-1.${props.edgeFunction.functionName}`,
    }));
    for (const { region, logGroupName } of this.logGroupNames) {
      new logs.LogRetention(this, `Retention-${region}`, { logGroupName, logGroupRegion: region, retention });
    }

    // CDK's managed log group of the function itself (@aws-cdk/aws-lambda:useCdkManagedLogGroup).
    const ownGroup = props.edgeFunction.node.tryFindChild('LogGroup')?.node.defaultChild;
    if (ownGroup instanceof logs.CfnLogGroup) ownGroup.retentionInDays = props.retentionDays;

    // CDK's LogRetention provider: one function per stack, created with the first LogRetention.
    const provider = Stack.of(this).node.tryFindChild(LOG_RETENTION_PROVIDER_ID);
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK’s LogRetention provider function only writes its own logs with this managed policy.',
      });
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CDK’s LogRetention provider sets retention on log groups in other regions, named after a function whose name is only known at deploy time.',
      });
    }
  }
}

/** The construct id CDK gives its singleton LogRetention provider in a stack. */
const LOG_RETENTION_PROVIDER_ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

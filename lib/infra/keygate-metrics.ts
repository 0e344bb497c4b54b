import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, METRIC_NAMES } from '../../lambda/key-authorizer/contract';

/** One period for every graph and alarm: CloudFront's metrics come at one-minute resolution, CloudWatch Logs' EMF at one. */
export const METRIC_PERIOD = Duration.minutes(5);

/** CloudFront's own metrics: in us-east-1 whatever the stack region, dimension Region=Global. */
export function cloudFrontMetric(
  distributionId: string,
  metricName: string,
  statistic: 'Sum' | 'Average',
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    dimensionsMap: { DistributionId: distributionId, Region: 'Global' },
    region: 'us-east-1',
    statistic,
    period: METRIC_PERIOD,
    ...(label ? { label } : {}),
  });
}

/** The authorizer's `Decisions` count for one outcome and reason, in the edge region that served the viewers. */
export function decisionsMetric(region: string, decision: 'allow' | 'deny', reason: string, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRIC_NAMES.decisions,
    dimensionsMap: { decision, reason },
    region,
    statistic: 'Sum',
    period: METRIC_PERIOD,
    ...(label ? { label } : {}),
  });
}

/** A metric of the entitlement table's replica in one region. */
export function tableMetric(
  region: string,
  tableName: string,
  metricName: string,
  options: { statistic?: string; dimensions?: Record<string, string>; label?: string } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensionsMap: { TableName: tableName, ...options.dimensions },
    region,
    statistic: options.statistic ?? 'Sum',
    period: METRIC_PERIOD,
    ...(options.label ? { label: options.label } : {}),
  });
}

/**
 * Share of key requests answered 503 `store-unavailable` in one edge region, in percent: the Average of
 * the dimensionless `StoreUnavailable` value (100 or 0) every key judgment's decision line carries.
 */
export function storeUnavailableRate(region: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRIC_NAMES.storeUnavailable,
    region,
    statistic: 'Average',
    period: METRIC_PERIOD,
    label: `store-unavailable % (${region})`,
  });
}

/**
 * A metric AWS Lambda itself counts for the key authorizer's replicas that ran in `region` (every
 * invocation, unlike the best-effort decision lines). A Lambda@Edge replica's metrics live in the
 * region where it ran, under the function name prefixed with the region it was created in.
 */
export function edgeLambdaMetric(
  region: string,
  functionName: string,
  metricName: 'Errors' | 'Throttles' | 'Invocations',
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { FunctionName: edgeReplicaName(functionName) },
    region,
    statistic: 'Sum',
    period: METRIC_PERIOD,
    label: `${metricName} (${region})`,
  });
}

/** The name a Lambda@Edge replica's logs and metrics carry: `us-east-1.<name>`, wherever it ran. */
export const edgeReplicaName = (functionName: string): string => `us-east-1.${functionName}`;

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../../lambda/key-authorizer/decision-log';
import { DENIAL_STATUS, type DenialReason } from '../../lambda/key-authorizer/denial-reasons';

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
    metricName: 'Decisions',
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

/** Denials that are not a judgment of a key request (no lookup, nothing to fail): left out of rates. */
const NOT_KEY_JUDGMENTS = new Set<DenialReason>(['not-found', 'method-not-allowed', 'origin-not-allowed']);

/**
 * The decisions made on key requests, by (decision, reason): the denominator of the store-unavailable
 * rate. Derived from the authorizer's reason table, so a new reason is counted without an edit here.
 */
export const KEY_JUDGMENTS: { decision: 'allow' | 'deny'; reason: string }[] = [
  { decision: 'allow', reason: 'entitled' },
  ...(Object.keys(DENIAL_STATUS) as DenialReason[])
    .filter((reason) => !NOT_KEY_JUDGMENTS.has(reason))
    .map((reason) => ({ decision: 'deny' as const, reason })),
];

/**
 * Share of key requests answered 503 `store-unavailable` in one edge region, in percent. A CloudWatch
 * alarm cannot use SEARCH, so the denominator names each reason; FILL keeps a reason with no data from
 * blanking the sum.
 */
export function storeUnavailableRate(region: string): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  KEY_JUDGMENTS.forEach(({ decision, reason }, index) => {
    usingMetrics[`m${index}`] = decisionsMetric(region, decision, reason);
  });
  const unavailable = KEY_JUDGMENTS.findIndex((j) => j.reason === 'store-unavailable');
  const total = Object.keys(usingMetrics)
    .map((id) => `FILL(${id}, 0)`)
    .join(' + ');
  return new cloudwatch.MathExpression({
    expression: `100 * FILL(m${unavailable}, 0) / (${total})`,
    usingMetrics,
    label: `store-unavailable % (${region})`,
    period: METRIC_PERIOD,
  });
}

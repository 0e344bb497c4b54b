import { InvalidConfigError, readList, type Context } from './context-values';
import { EDGE_EXECUTION_REGIONS } from './region-locations';

const SNS_TOPIC_ARN = /^arn:aws:sns:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** The region named in an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export const topicRegionOf = (arn: string): string => (SNS_TOPIC_ARN.exec(arn) as RegExpExecArray)[1];

/**
 * The regions Keygate's alarms live in: CloudWatch alarms only read metrics of their own region, so
 * they sit in the stack region (table, that region's edge metrics) and in us-east-1 (CloudFront).
 */
export const alarmRegionsFor = (stackRegion: string): string[] => [...new Set([stackRegion, 'us-east-1'])];

/**
 * `alarmTopicArn`: one SNS topic ARN, or a list with at most one per alarm region. A CloudWatch alarm
 * can only notify a topic in its own region, so a topic elsewhere would silently never be told.
 */
export function readAlarmTopicArns(context: Context, stackRegion: string): string[] {
  const arns = readList(context, 'alarmTopicArn', SNS_TOPIC_ARN, 'SNS topic ARNs like "arn:aws:sns:eu-west-1:123456789012:ops"');
  const regions = alarmRegionsFor(stackRegion);
  const seen = new Set<string>();
  for (const arn of arns) {
    const region = topicRegionOf(arn);
    if (!regions.includes(region) || seen.has(region)) {
      throw new InvalidConfigError(
        'alarmTopicArn',
        `at most one SNS topic per alarm region (${regions.join(', ')}): an alarm can only notify a topic in its own region`,
        arns,
      );
    }
    seen.add(region);
  }
  return arns;
}

/** What the alarms of one region watch: each alarm reads only metrics of the region it lives in. */
export interface RegionAlarms {
  region: string;
  /** CloudFront's 5xx and 503 rates and Lambda@Edge errors: published in us-east-1 only. */
  cloudFront: boolean;
  /** The authorizer's store-unavailable rate, from the decision lines of viewers served by this edge region. */
  storeUnavailable: boolean;
  /**
   * Lambda@Edge errors and throttles AWS/Lambda counts for the replicas that ran in this region: every
   * invocation, where the decision lines (best-effort, throttled logs) are only a sample.
   */
  edgeFunction: boolean;
  /** DynamoDB throttling of the table's replica in this region. */
  tableThrottling: boolean;
  topicArn?: string;
}

/**
 * Where each alarm lives. Keygate deploys stacks in two regions only (the stack region and us-east-1),
 * so edge regions and table replicas elsewhere are on the dashboard without an alarm of their own;
 * CloudFront's 503 rate, in us-east-1, covers store failures in every edge region.
 */
export function alarmPlanFor(config: { region: string; replicaRegions: string[]; alarmTopicArns: string[] }): RegionAlarms[] {
  const tableRegions = [config.region, ...config.replicaRegions];
  return alarmRegionsFor(config.region).map((region) => {
    const topicArn = config.alarmTopicArns.find((arn) => topicRegionOf(arn) === region);
    return {
      region,
      cloudFront: region === 'us-east-1',
      storeUnavailable: EDGE_EXECUTION_REGIONS.includes(region),
      edgeFunction: EDGE_EXECUTION_REGIONS.includes(region),
      tableThrottling: tableRegions.includes(region),
      ...(topicArn ? { topicArn } : {}),
    };
  });
}

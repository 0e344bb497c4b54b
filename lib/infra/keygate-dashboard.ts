import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRIC_NAMES } from '../../lambda/key-authorizer/contract';
import type { RegionAlarms } from '../config/alarm-plan';
import { METRIC_PERIOD, cloudFrontMetric, decisionsMetric, tableMetric } from './keygate-metrics';

export interface KeygateDashboardProps {
  dashboardName: string;
  distributionId: string;
  tableName: string;
  /** Primary first. */
  tableRegions: string[];
  /** Every region where the authorizer may run: each keeps its own Keygate metrics. */
  edgeRegions: readonly string[];
  /** What is alarmed where, shown on the dashboard so nobody looks for an alarm that does not exist. */
  alarmPlan: RegionAlarms[];
}

const WIDTH = 8;
const HEIGHT = 6;
const period = METRIC_PERIOD;

/** A SEARCH of the Keygate namespace in one edge region (a graph may read any region; an alarm may not). */
function search(region: string, schema: string, filter: string, statistic: string, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${schema}} ${filter}', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    searchRegion: region,
    label,
    period,
  });
}

/**
 * One dashboard, in the stack region, reading every region it needs: CloudFront from us-east-1, the
 * authorizer's metrics from each edge region where it ran, the table from each replica region.
 */
export class KeygateDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KeygateDashboardProps) {
    super(scope, id);
    const cf = (name: string, statistic: 'Sum' | 'Average', label: string) =>
      cloudFrontMetric(props.distributionId, name, statistic, label);
    const graph = (title: string, metrics: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left: metrics, width: WIDTH, height: HEIGHT, period, ...options });

    const alarmLines = props.alarmPlan.map((plan) => {
      const watched = [
        plan.cloudFront ? 'CloudFront 503 and 5xx rates, Lambda@Edge execution and validation errors' : undefined,
        plan.storeUnavailable ? 'store-unavailable rate of this edge region (decision lines: a sample)' : undefined,
        plan.edgeFunction ? 'Lambda@Edge errors and throttles of the replicas run here (AWS/Lambda: every invocation)' : undefined,
        plan.tableThrottling ? 'throttling of both tables’ replicas here' : undefined,
      ].filter(Boolean);
      return `* **${plan.region}**: ${watched.join('; ')}${plan.topicArn ? '' : ' (no SNS topic configured)'}`;
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new cloudwatch.TextWidget({
            width: 24,
            height: 4,
            markdown: [
              '# Keygate',
              `Edge regions: ${props.edgeRegions.join(', ')}. Table regions: ${props.tableRegions.join(', ')}. Alarms (each in the region of its metric):`,
              ...alarmLines,
            ].join('\n'),
          }),
        ],
        [
          graph('CloudFront requests (all behaviors)', [cf('Requests', 'Sum', 'requests')]),
          graph('CloudFront error rates (%)', [
            cf('4xxErrorRate', 'Average', '4xx'),
            cf('401ErrorRate', 'Average', '401'),
            cf('403ErrorRate', 'Average', '403'),
            cf('5xxErrorRate', 'Average', '5xx'),
            cf('503ErrorRate', 'Average', '503'),
          ]),
          graph('Lambda@Edge errors (CloudFront)', [
            cf('LambdaExecutionError', 'Sum', 'execution errors'),
            cf('LambdaValidationError', 'Sum', 'validation errors'),
          ]),
        ],
        [
          graph(
            'Key decisions by outcome and reason, every edge region',
            props.edgeRegions.map((region) =>
              search(
                region,
                'decision,reason',
                `MetricName="${METRIC_NAMES.decisions}"`,
                'Sum',
                `${region} \${PROP('Dim.decision')} \${PROP('Dim.reason')}`,
              ),
            ),
            { stacked: true },
          ),
          graph(
            '503 store-unavailable, by edge region',
            props.edgeRegions.map((region) => decisionsMetric(region, 'deny', 'store-unavailable', region)),
            { stacked: true },
          ),
          graph(
            'p99 store latency (ms), edge region → replica',
            props.edgeRegions.map((region) =>
              search(region, 'replica', `MetricName="${METRIC_NAMES.storeLatency}"`, 'p99', `${region} → \${PROP('Dim.replica')}`),
            ),
          ),
        ],
        [
          graph(
            'Table throttle events, by replica',
            props.tableRegions.flatMap((region) => [
              tableMetric(region, props.tableName, 'ReadThrottleEvents', { label: `${region} reads` }),
              tableMetric(region, props.tableName, 'WriteThrottleEvents', { label: `${region} writes` }),
            ]),
          ),
          graph(
            'Table replication latency (ms), source → replica',
            props.tableRegions.flatMap((source) =>
              props.tableRegions
                .filter((target) => target !== source)
                .map((target) =>
                  tableMetric(source, props.tableName, 'ReplicationLatency', {
                    statistic: 'Average',
                    dimensions: { ReceivingRegion: target },
                    label: `${source} → ${target}`,
                  }),
                ),
            ),
          ),
          graph(
            'Authorizer cache hit ratio, every edge region',
            props.edgeRegions.map((region) =>
              search(region, 'decision,reason', `MetricName="${METRIC_NAMES.cacheHits}"`, 'Average', `${region} \${PROP('Dim.reason')}`),
            ),
          ),
        ],
      ],
    });
  }
}

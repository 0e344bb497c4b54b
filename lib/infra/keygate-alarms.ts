import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../lambda/key-authorizer/contract';
import type { RegionAlarms } from '../config/alarm-plan';
import { METRIC_PERIOD, cloudFrontMetric, edgeLambdaMetric, storeUnavailableRate, tableMetric } from './keygate-metrics';

export interface KeygateAlarmsProps {
  /** What to watch in this stack's region (`alarmPlanFor`); the stack must be in `plan.region`. */
  plan: RegionAlarms;
  /** Needed when `plan.cloudFront`. */
  distributionId: string;
  /** The entitlement table and the lease table: both throttle-watched in their replica here. */
  tableNames: string[];
  /** The edge function's name (created in us-east-1); needed when `plan.edgeFunction`. */
  edgeFunctionName: string;
  /** Prefix of every alarm name, so an operator sees which deployment is paging. */
  namePrefix: string;
}

/**
 * The alarms of one region. Thresholds are for a service whose healthy state has none of these:
 * any sustained store failure, function error or throttle is worth a look. Alarms with no data
 * (no traffic) stay OK.
 */
export class KeygateAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: KeygateAlarmsProps) {
    super(scope, id);
    const { plan } = props;
    const alarm = (
      alarmId: string,
      description: string,
      options: Omit<cloudwatch.CreateAlarmOptions, 'alarmDescription' | 'alarmName'> & {
        metric: cloudwatch.Metric | cloudwatch.MathExpression;
      },
    ) => {
      const { metric, ...rest } = options;
      const created = metric.createAlarm(this, alarmId, {
        alarmName: `${props.namePrefix}-${alarmId}-${plan.region}`,
        alarmDescription: `${description} See README "Operating Keygate".`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...rest,
      });
      this.alarms.push(created);
    };

    if (plan.storeUnavailable) {
      alarm(
        METRIC_NAMES.storeUnavailable,
        `More than 2% of key requests served from ${plan.region} got 503 store-unavailable: no table replica answered in time.`,
        {
          metric: storeUnavailableRate(plan.region),
          threshold: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      );
    }
    if (plan.cloudFront) {
      const cf = (name: string, statistic: 'Sum' | 'Average') => cloudFrontMetric(props.distributionId, name, statistic);
      alarm(
        'Global503Rate',
        'More than 1% of all viewer requests, in every edge region, got 503: the store was unavailable to the authorizer, or Lambda@Edge was throttled or failed.',
        {
          metric: cf('503ErrorRate', 'Average'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      );
      alarm('Global5xxRate', 'More than 2% of all viewer requests got a 5xx: the authorizer, the buckets or CloudFront are failing.', {
        metric: cf('5xxErrorRate', 'Average'),
        threshold: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      alarm(
        'EdgeExecutionErrors',
        'The key authorizer threw, timed out or ran out of memory at the edge (CloudFront LambdaExecutionError).',
        {
          metric: cf('LambdaExecutionError', 'Sum'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      );
      alarm(
        'EdgeValidationErrors',
        'The key authorizer returned a response CloudFront refuses (LambdaValidationError): a bug in the deployed version.',
        {
          metric: cf('LambdaValidationError', 'Sum'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
        },
      );
    }
    if (plan.edgeFunction) {
      const edge = (name: 'Errors' | 'Throttles') => edgeLambdaMetric(plan.region, props.edgeFunctionName, name);
      alarm(
        'EdgeFunctionErrors',
        `The key authorizer's replicas in ${plan.region} failed invocations (threw, timed out at 5 s or ran out of memory), as AWS Lambda counts them: every one, not a log sample.`,
        {
          metric: edge('Errors'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      );
      alarm(
        'EdgeFunctionThrottles',
        `Lambda throttled the key authorizer's replicas in ${plan.region} (concurrency quota): those viewers got CloudFront's own error, which no decision line records.`,
        {
          metric: edge('Throttles'),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
      );
    }
    if (plan.tableThrottling) {
      const throttles = Object.fromEntries(
        props.tableNames.flatMap((table, i) => [
          [`reads${i}`, tableMetric(plan.region, table, 'ReadThrottleEvents')],
          [`writes${i}`, tableMetric(plan.region, table, 'WriteThrottleEvents')],
        ]),
      );
      alarm('TableThrottling', `The entitlement or lease table's replica in ${plan.region} throttled reads or writes.`, {
        metric: new cloudwatch.MathExpression({
          expression: Object.keys(throttles)
            .map((name) => `FILL(${name}, 0)`)
            .join(' + '),
          usingMetrics: throttles,
          label: `throttle events (${plan.region})`,
          period: METRIC_PERIOD,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }

    if (plan.topicArn) {
      const topic = new actions.SnsAction(sns.Topic.fromTopicArn(this, 'Topic', plan.topicArn));
      for (const created of this.alarms) {
        created.addAlarmAction(topic);
        created.addOkAction(topic);
      }
    }
  }
}

import { IN_US_EAST_1, sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

const EU_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:keygate-ops';
const US_TOPIC = 'arn:aws:sns:us-east-1:123456789012:keygate-ops';

let synth: SynthesizedKeygate;
let inUsEast1: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate({ alarmTopicArn: [EU_TOPIC, US_TOPIC] });
  inUsEast1 = sharedSynthKeygate(IN_US_EAST_1);
});

type Alarm = {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string }; Stat?: string } }[];
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Threshold: number;
  TreatMissingData: string;
};
const alarmsOf = (template: SynthesizedKeygate['template']): Record<string, Alarm> =>
  Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => {
      const alarm = (r as { Properties: Alarm }).Properties;
      return [alarm.AlarmName, alarm];
    }),
  );

describe('KeygateAlarms', () => {
  it('alarms on the stack region’s own metrics in the stack region: its edge decisions and its table replica', () => {
    expect(Object.keys(alarmsOf(synth.template)).sort()).toEqual([
      'Keygate-EdgeFunctionErrors-eu-west-1',
      'Keygate-EdgeFunctionThrottles-eu-west-1',
      'Keygate-StoreUnavailable-eu-west-1',
      'Keygate-TableThrottling-eu-west-1',
    ]);
  });

  it('alarms on CloudFront’s metrics in us-east-1, where CloudFront publishes them', () => {
    const alarms = alarmsOf(synth.logsTemplate);
    expect(Object.keys(alarms).sort()).toEqual([
      'Keygate-EdgeExecutionErrors-us-east-1',
      'Keygate-EdgeFunctionErrors-us-east-1',
      'Keygate-EdgeFunctionThrottles-us-east-1',
      'Keygate-EdgeValidationErrors-us-east-1',
      'Keygate-Global503Rate-us-east-1',
      'Keygate-Global5xxRate-us-east-1',
      'Keygate-StoreUnavailable-us-east-1',
      'Keygate-TableThrottling-us-east-1',
    ]);
    const byMetric = (name: string) => Object.values(alarms).find((a) => a.MetricName === name) as Alarm;
    for (const name of ['503ErrorRate', '5xxErrorRate', 'LambdaExecutionError', 'LambdaValidationError']) {
      const alarm = byMetric(name);
      expect(alarm.Namespace).toBe('AWS/CloudFront');
      expect(alarm.Dimensions).toContainEqual({ Name: 'Region', Value: 'Global' });
      // The distribution id crosses regions through CDK's export reader, not a hard-coded value.
      expect(JSON.stringify(alarm.Dimensions)).toMatch(/ExportsReader.*KeygateCdnDistribution/);
    }
  });

  it('alarms on the Errors and Throttles AWS/Lambda counts for the edge replicas that ran in each alarm region', () => {
    for (const [template, region] of [
      [synth.template, 'eu-west-1'],
      [synth.logsTemplate, 'us-east-1'],
    ] as const) {
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = alarmsOf(template)[`Keygate-EdgeFunction${metric}-${region}`];
        const stat = alarm.Metrics?.[0].MetricStat as {
          Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] };
          Stat: string;
        };
        expect([stat.Metric.Namespace, stat.Metric.MetricName, stat.Stat, alarm.Threshold]).toEqual(['AWS/Lambda', metric, 'Sum', 1]);
        // A replica's metrics carry the name prefixed with the region the function was created in.
        const dimension = JSON.stringify(stat.Metric.Dimensions);
        expect(dimension).toMatch(/^\[\{"Name":"FunctionName","Value":\{"Fn::Join":\["",\["us-east-1\.",/);
        expect(dimension).toMatch(/RefFunction|Function[0-9A-F]{8}/);
      }
    }
  });

  it('watches both tables’ throttling in the replica of its region', () => {
    const alarm = alarmsOf(synth.template)['Keygate-TableThrottling-eu-west-1'];
    const tables = (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [JSON.stringify(m.MetricStat.Metric)] : []));
    expect(tables.filter((t) => t.includes('"keygate-entitlements"'))).toHaveLength(2);
    expect(tables.filter((t) => t.includes('"keygate-entitlements-leases"'))).toHaveLength(2);
  });

  it('alarms on the store-unavailable rate as one dimensionless metric of its own edge region, whatever the reasons', () => {
    const alarm = alarmsOf(synth.template)['Keygate-StoreUnavailable-eu-west-1'];
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: { Metric: { MetricName: 'StoreUnavailable', Namespace: 'Keygate' }, Period: 300, Stat: 'Average' },
      }),
    ]);
    expect(alarm.Threshold).toBe(2);
  });

  it('notifies the topic of each alarm’s own region, on alarm and on recovery', () => {
    for (const [template, topic] of [
      [synth.template, EU_TOPIC],
      [synth.logsTemplate, US_TOPIC],
    ] as const) {
      for (const alarm of Object.values(alarmsOf(template))) {
        expect(alarm.AlarmActions).toEqual([topic]);
        expect(alarm.OKActions).toEqual([topic]);
      }
    }
  });

  it('stays OK without traffic: missing data never breaches', () => {
    for (const alarm of [...Object.values(alarmsOf(synth.template)), ...Object.values(alarmsOf(synth.logsTemplate))]) {
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('keeps every alarm in the one stack when that stack is in us-east-1, with no action when no topic is configured', () => {
    const alarms = alarmsOf(inUsEast1.template);
    expect(Object.keys(alarms)).toHaveLength(8);
    expect(Object.values(alarms).every((a) => a.AlarmActions === undefined)).toBe(true);
  });
});

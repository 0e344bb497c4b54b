import { EDGE_EXECUTION_REGIONS } from '../../lib/config/region-locations';
import { sharedSynthKeygate, synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
});

type Widget = { type: string; properties: { title?: string; markdown?: string; region?: string; metrics?: unknown[][] } };
/** The documented stack region; a graph line without a region of its own reads the widget's, which is this one. */
const STACK_REGION = 'eu-west-1';
/** Edge regions an account must opt in to (lib/config/edge-log-regions.ts). */
const OPT_IN = ['af-south-1', 'me-central-1'];

/** The dashboard body with the distribution id (a token in the template) shown as DISTRIBUTION_ID. */
function dashboardWidgets(s: SynthesizedKeygate): Widget[] {
  const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardName: string; DashboardBody: { 'Fn::Join': [string, unknown[]] } };
  }[];
  expect(dashboards).toHaveLength(1);
  expect(dashboards[0].Properties.DashboardName).toBe('Keygate');
  const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1];
  const shown = (part: unknown) =>
    typeof part === 'string' ? part : (part as { Ref?: string }).Ref === 'AWS::Region' ? STACK_REGION : 'DISTRIBUTION_ID';
  return JSON.parse(parts.map(shown).join('')).widgets;
}
const widget = (title: string): Widget => {
  const found = dashboardWidgets(synth).find((w) => w.properties.title === title);
  expect(found).toBeDefined();
  return found as Widget;
};
/** The region each line of a graph reads (the last element of a metric array holds its options). */
const regionsOf = (w: Widget): string[] =>
  (w.properties.metrics ?? []).map((line) => (line[line.length - 1] as { region?: string }).region ?? (w.properties.region as string));

describe('KeygateDashboard', () => {
  it('shows CloudFront’s requests, error rates and Lambda@Edge errors from us-east-1, dimension Region=Global', () => {
    for (const title of ['CloudFront requests (all behaviors)', 'CloudFront error rates (%)', 'Lambda@Edge errors (CloudFront)']) {
      const lines = widget(title).properties.metrics ?? [];
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines)
        expect(line.slice(0, 1).concat(line.slice(2, 6))).toEqual([
          'AWS/CloudFront',
          'DistributionId',
          'DISTRIBUTION_ID',
          'Region',
          'Global',
        ]);
      expect(new Set(regionsOf(widget(title)))).toEqual(new Set(['us-east-1']));
    }
    expect((widget('CloudFront error rates (%)').properties.metrics ?? []).map((l) => l[1])).toContain('503ErrorRate');
    expect((widget('Lambda@Edge errors (CloudFront)').properties.metrics ?? []).map((l) => l[1])).toEqual([
      'LambdaExecutionError',
      'LambdaValidationError',
    ]);
  });

  it('turns on CloudFront’s additional metrics, without which the per-status rates do not exist', () => {
    synth.template.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
      MonitoringSubscription: { RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' } },
    });
  });

  it('reads the authorizer’s decisions, 503s and p99 store latency from every edge region where it may run', () => {
    for (const title of [
      'Key decisions by outcome and reason, every edge region',
      '503 store-unavailable, by edge region',
      'p99 store latency (ms), edge region → replica',
    ]) {
      expect(regionsOf(widget(title)).sort()).toEqual(EDGE_EXECUTION_REGIONS.filter((r) => !OPT_IN.includes(r)).sort());
    }
    const decisions = widget('Key decisions by outcome and reason, every edge region').properties.metrics?.[0][0] as { expression: string };
    expect(decisions.expression).toBe(`SEARCH('{Keygate,decision,reason} MetricName="Decisions"', 'Sum', 300)`);
    const latency = widget('p99 store latency (ms), edge region → replica').properties.metrics?.[0][0] as { expression: string };
    expect(latency.expression).toBe(`SEARCH('{Keygate,replica} MetricName="StoreLatency"', 'p99', 300)`);
    const unavailable = widget('503 store-unavailable, by edge region').properties.metrics?.[0] ?? [];
    expect(unavailable.slice(0, 6)).toEqual(['Keygate', 'Decisions', 'decision', 'deny', 'reason', 'store-unavailable']);
  });

  it('leaves out opt-in regions the account may not have enabled, unless a table replica is there', () => {
    // A widget reading a region the account has not enabled shows an error in place of its graph.
    for (const region of OPT_IN) expect(regionsOf(widget('503 store-unavailable, by edge region'))).not.toContain(region);
    const withReplica = synthKeygate({ replicaRegions: ['us-east-1', 'af-south-1'] });
    try {
      const unavailable = dashboardWidgets(withReplica).find((w) => w.properties.title === '503 store-unavailable, by edge region');
      expect(regionsOf(unavailable as Widget)).toContain('af-south-1');
      expect(regionsOf(unavailable as Widget)).not.toContain('me-central-1');
    } finally {
      withReplica.cleanup();
    }
  });

  it('shows throttles of every table replica and replication latency between every pair, each from its own region', () => {
    const throttles = widget('Table throttle events, by replica');
    expect(regionsOf(throttles).sort()).toEqual(['ap-northeast-1', 'ap-northeast-1', 'eu-west-1', 'eu-west-1', 'us-east-1', 'us-east-1']);
    const replication = widget('Table replication latency (ms), source → replica').properties.metrics ?? [];
    const sources = regionsOf(widget('Table replication latency (ms), source → replica'));
    const pairs = replication.map((line, index) => `${sources[index]}→${line[line.indexOf('ReceivingRegion') + 1]}`);
    expect(pairs.sort()).toEqual(
      [
        'eu-west-1→us-east-1',
        'eu-west-1→ap-northeast-1',
        'us-east-1→eu-west-1',
        'us-east-1→ap-northeast-1',
        'ap-northeast-1→eu-west-1',
        'ap-northeast-1→us-east-1',
      ].sort(),
    );
  });

  it('says on the dashboard which alarm lives in which region', () => {
    const text = dashboardWidgets(synth).find((w) => w.type === 'text')?.properties.markdown ?? '';
    expect(text).toContain(
      '**eu-west-1**: store-unavailable rate of this edge region (decision lines: a sample); Lambda@Edge errors and throttles of the replicas run here (AWS/Lambda: every invocation); throttling of both tables’ replicas here',
    );
    expect(text).toContain('**us-east-1**: CloudFront 503 and 5xx rates, Lambda@Edge execution and validation errors');
  });

  it('is linked from the stack outputs', () => {
    const dashboardId = Object.keys(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0];
    expect(synth.template.toJSON().Outputs.DashboardUrl.Value).toEqual({
      'Fn::Join': ['', ['https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/', { Ref: dashboardId }]],
    });
  });
});

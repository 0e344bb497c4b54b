import { edgeLogRegionsFor } from '../../lib/config/edge-log-regions';
import { IN_US_EAST_1, sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
let inUsEast1: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
  inUsEast1 = sharedSynthKeygate(IN_US_EAST_1);
});

type Retention = { LogGroupName: unknown; LogGroupRegion: string; RetentionInDays: number };
const retentions = (template: SynthesizedKeygate['template']): Retention[] =>
  Object.values(template.findResources('Custom::LogRetention')).map((r) => (r as { Properties: Retention }).Properties);
const edgeFunctionId = (template: SynthesizedKeygate['template']): string =>
  Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler' } }))[0];

describe('EdgeLogRetention', () => {
  it('sets 30 days on the edge function’s log group in every region where a replica may run', () => {
    const found = retentions(synth.edgeTemplate);
    expect(found.map((r) => r.LogGroupRegion).sort()).toEqual(edgeLogRegionsFor(['eu-west-1', 'us-east-1', 'ap-northeast-1']).sort());
    expect(found.every((r) => r.RetentionInDays === 30)).toBe(true);
  });

  it('names the replica log group /aws/lambda/us-east-1.<function name>, resolved beside the function in us-east-1', () => {
    const fn = edgeFunctionId(synth.edgeTemplate);
    for (const retention of retentions(synth.edgeTemplate)) {
      expect(retention.LogGroupName).toEqual({ 'Fn::Join': ['', ['/aws/lambda/us-east-1.', { Ref: fn }]] });
    }
    // Nothing about the edge logs lives in the stack region, where the function name is not known.
    expect(synth.template.findResources('Custom::LogRetention')).toEqual({});
  });

  it('gives the function’s own us-east-1 log group the same retention', () => {
    synth.edgeTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: edgeFunctionId(synth.edgeTemplate) }]] },
      RetentionInDays: 30,
    });
  });

  it('keeps the log groups when the stack goes, like every other log Keygate keeps', () => {
    for (const resource of Object.values(synth.edgeTemplate.findResources('Custom::LogRetention'))) {
      expect((resource as { Properties: { RemovalPolicy?: string } }).Properties.RemovalPolicy ?? 'retain').toBe('retain');
    }
  });

  it('follows edgeLogRetentionDays, in the Keygate stack itself when that is in us-east-1', () => {
    expect(IN_US_EAST_1.edgeLogRetentionDays).toBe(7);
    const found = retentions(inUsEast1.template);
    expect(found.length).toBe(edgeLogRegionsFor(['us-east-1', 'eu-west-1']).length);
    expect(found.every((r) => r.RetentionInDays === 7)).toBe(true);
  });

  it('leaves no cdk-nag finding unacknowledged when the retention provider lives in the Keygate stack (us-east-1)', () => {
    expect(inUsEast1.validationReport.pluginReports.flatMap((report) => report.violations)).toEqual([]);
  });
});

import { App, Stack } from 'aws-cdk-lib';
import { AccessLogs } from '../../lib/infra/access-logs';
import { IN_US_EAST_1, sharedSynthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
let inUsEast1: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
  inUsEast1 = sharedSynthKeygate(IN_US_EAST_1);
});

type Properties = Record<string, unknown>;
const only = (s: SynthesizedKeygate, type: string): Properties => {
  const found = Object.values(s.logsTemplate.findResources(type));
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: Properties }).Properties;
};

describe('AccessLogs', () => {
  it('turns legacy standard logging off: it always records the query string', () => {
    const distribution = Object.values(synth.template.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: { DistributionConfig: Properties };
    };
    expect(distribution.Properties.DistributionConfig.Logging).toBeUndefined();
  });

  it('delivers the distribution’s access logs without query strings, cookies or referrers', () => {
    const fields = only(synth, 'AWS::Logs::Delivery').RecordFields as string[];
    for (const leaky of ['cs-uri-query', 'cs(Cookie)', 'cs(Referer)', 'viewer-request-log-data', 'viewer-response-log-data']) {
      expect(fields).not.toContain(leaky);
    }
    // What an operator needs to read a log line is there.
    expect(fields).toEqual(expect.arrayContaining(['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status', 'x-edge-request-id']));
    expect(only(synth, 'AWS::Logs::DeliverySource')).toMatchObject({ LogType: 'ACCESS_LOGS' });
    expect(JSON.stringify(only(synth, 'AWS::Logs::DeliverySource').ResourceArn)).toContain(':distribution/');
  });

  it('lives in a us-east-1 companion stack when Keygate is elsewhere, reading the distribution of the Keygate stack', () => {
    expect(synth.template.findResources('AWS::Logs::Delivery')).toEqual({});
    const arn = JSON.stringify(only(synth, 'AWS::Logs::DeliverySource').ResourceArn);
    // The distribution id comes across regions through CDK's export reader, not a hard-coded value.
    expect(arn).toMatch(/ExportsReader.*KeygateCdnDistribution/);
  });

  it('lives in the Keygate stack itself when that is in us-east-1', () => {
    expect(Object.keys(inUsEast1.template.findResources('AWS::Logs::Delivery'))).toHaveLength(1);
    const arn = JSON.stringify(only(inUsEast1, 'AWS::Logs::DeliverySource').ResourceArn);
    expect(arn).toContain(`{"Ref":"${Object.keys(inUsEast1.template.findResources('AWS::CloudFront::Distribution'))[0]}"}`);
  });

  it('writes into a private, SSL-only, owner-enforced bucket that expires logs after the retention', () => {
    const bucket = only(synth, 'AWS::S3::Bucket');
    expect(bucket).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    expect(only(synth, 'AWS::Logs::DeliveryDestination')).toMatchObject({
      DeliveryDestinationType: 'S3',
      DestinationResourceArn: { 'Fn::GetAtt': [expect.stringMatching(/^AccessLogsBucket/), 'Arn'] },
    });
  });

  it('lets only the log delivery service of this account write into the bucket', () => {
    const statements = (only(synth, 'AWS::S3::BucketPolicy').PolicyDocument as { Statement: Properties[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:PutObject',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('refuses to be placed outside us-east-1, where CloudWatch Logs takes no CloudFront delivery source', () => {
    const stack = new Stack(new App(), 'Elsewhere', { env: { region: 'eu-west-1' } });
    expect(() => new AccessLogs(stack, 'Logs', { distributionArn: 'arn:aws:cloudfront::1:distribution/X', retentionDays: 30 })).toThrow(
      /must be in a us-east-1 stack/,
    );
  });
});

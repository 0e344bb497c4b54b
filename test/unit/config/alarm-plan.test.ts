import { alarmPlanFor } from '../../../lib/config/alarm-plan';
import { parseExampleConfig as parse } from '../../fixtures/example-context';

const EU_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:keygate-ops';
const US_TOPIC = 'arn:aws:sns:us-east-1:123456789012:keygate-ops';

describe('alarmTopicArn', () => {
  it('is optional: without it the alarms exist and notify nobody', () => {
    expect(parse({}).alarmTopicArns).toEqual([]);
  });

  it('accepts one topic per alarm region, as a list or a -c string', () => {
    expect(parse({ alarmTopicArn: [EU_TOPIC, US_TOPIC] }).alarmTopicArns).toEqual([EU_TOPIC, US_TOPIC]);
    expect(parse({ alarmTopicArn: `${EU_TOPIC},${US_TOPIC}` }).alarmTopicArns).toEqual([EU_TOPIC, US_TOPIC]);
  });

  it.each([
    [
      'a topic in a region with no alarms',
      ['arn:aws:sns:ap-northeast-1:123456789012:ops'],
      /at most one SNS topic per alarm region \(eu-west-1, us-east-1\)/,
    ],
    ['two topics in one region', [EU_TOPIC, 'arn:aws:sns:eu-west-1:123456789012:other'], /at most one SNS topic per alarm region/],
    ['something that is not a topic ARN', ['arn:aws:sqs:eu-west-1:123456789012:queue'], /"alarmTopicArn" must be a list of SNS topic ARNs/],
  ])('refuses %s', (_name, alarmTopicArn, message) => {
    expect(() => parse({ alarmTopicArn })).toThrow(message);
  });
});

describe('edgeLogRetentionDays', () => {
  it('defaults to 30 days, apart from the 90 days of access logs', () => {
    const config = parse({ logRetentionDays: undefined, edgeLogRetentionDays: undefined });
    expect([config.edgeLogRetentionDays, config.logRetentionDays]).toEqual([30, 90]);
  });

  it('takes a retention CloudWatch Logs offers and refuses another', () => {
    expect(parse({ edgeLogRetentionDays: '14' }).edgeLogRetentionDays).toBe(14);
    expect(() => parse({ edgeLogRetentionDays: 31 })).toThrow(/"edgeLogRetentionDays" must be one of 1, 3, 5, 7, 14, 30/);
  });
});

describe('alarmPlanFor', () => {
  it('puts CloudFront alarms in us-east-1 and the stack region’s own alarms in the stack region', () => {
    expect(alarmPlanFor(parse({ alarmTopicArn: [EU_TOPIC, US_TOPIC] }))).toEqual([
      { region: 'eu-west-1', cloudFront: false, storeUnavailable: true, edgeFunction: true, tableThrottling: true, topicArn: EU_TOPIC },
      { region: 'us-east-1', cloudFront: true, storeUnavailable: true, edgeFunction: true, tableThrottling: true, topicArn: US_TOPIC },
    ]);
  });

  it('watches no table in us-east-1 when no replica is there, and nothing of the edge in a stack region without edge execution', () => {
    expect(alarmPlanFor(parse({ region: 'eu-south-1', replicaRegions: ['eu-west-1'] }))).toEqual([
      { region: 'eu-south-1', cloudFront: false, storeUnavailable: false, edgeFunction: false, tableThrottling: true },
      { region: 'us-east-1', cloudFront: true, storeUnavailable: true, edgeFunction: true, tableThrottling: false },
    ]);
  });

  it('has one region only when the stack is in us-east-1', () => {
    expect(alarmPlanFor(parse({ region: 'us-east-1', replicaRegions: ['eu-west-1'] }))).toEqual([
      { region: 'us-east-1', cloudFront: true, storeUnavailable: true, edgeFunction: true, tableThrottling: true },
    ]);
  });
});

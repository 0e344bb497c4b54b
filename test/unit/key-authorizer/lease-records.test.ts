import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MalformedItemError, readLeaseItem, recordsFromItems } from '../../../lambda/key-authorizer/entitlements/entitlement-records';
import { LEASE_ATTRIBUTES } from '../../../lambda/key-authorizer/entitlements/entitlement-schema';

type RawItem = Record<string, AttributeValue>;
const NOW = 1_700_000_000;

const lease: RawItem = {
  uid: { S: 'alice' },
  sk: { S: '#lease#session-one' },
  videoId: { S: 'movie' },
  region: { S: 'eu-west-1' },
  startedAt: { N: `${NOW - 100}` },
  renewedAt: { N: `${NOW - 10}` },
  expiresAt: { N: `${NOW + 70}` },
  network: { S: 'abcdefghijklmnop' },
};

describe('readLeaseItem', () => {
  it('reads a lease, its session id from the sort key', () => {
    expect(readLeaseItem({ ...lease, endedAt: { N: `${NOW}` } })).toEqual({
      uid: 'alice',
      sessionId: 'session-one',
      videoId: 'movie',
      region: 'eu-west-1',
      startedAt: NOW - 100,
      renewedAt: NOW - 10,
      expiresAt: NOW + 70,
      network: 'abcdefghijklmnop',
      endedAt: NOW,
    });
  });

  it.each(Object.entries(LEASE_ATTRIBUTES))('refuses a lease whose %s has the other DynamoDB type', (name, kind) => {
    const wrong = kind === 'string' ? { N: '1' } : { S: '1' };
    expect(() => readLeaseItem({ ...lease, [name]: wrong })).toThrow(MalformedItemError);
  });

  it.each(['expiresAt', 'videoId', 'region', 'startedAt', 'renewedAt'])('refuses a lease without %s', (name) => {
    const { [name]: _left, ...rest } = lease;
    expect(() => readLeaseItem(rest)).toThrow(`attribute ${name} is required`);
  });

  it.each(['#lease#', '#lease#short', '#lease#has space in it', '#revoked'])('refuses the sort key %j as a lease', (sk) => {
    expect(() => readLeaseItem({ ...lease, sk: { S: sk } })).toThrow(MalformedItemError);
  });
});

describe('maxStreams on a grant', () => {
  const grant = (maxStreams: AttributeValue): RawItem => ({ uid: { S: 'alice' }, sk: { S: '*' }, grantedAt: { N: `${NOW}` }, maxStreams });

  it.each([0, 1, 2, 1000])('reads %i', (n) => {
    expect(recordsFromItems([grant({ N: `${n}` })]).allAccess?.maxStreams).toBe(n);
  });

  it.each(['1001', '-1', '1.5', '2e0', ' 2', 'NaN'])('refuses %j: a limit read wrongly is a plan sold wrongly', (n) => {
    expect(() => recordsFromItems([grant({ N: n })])).toThrow('attribute maxStreams must be a whole number from 0 to 1000');
  });
});

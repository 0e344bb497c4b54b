import { authorizerConfigFor } from '../../../lib/config/authorizer-config-for';
import { InvalidConfigError } from '../../../lib/config/keygate-config';
import { nearestFirst } from '../../../lib/config/region-locations';
import { parseExampleConfig as parse } from '../../fixtures/example-context';
import { parseAuthorizerConfig } from '../../../lambda/key-authorizer/config/authorizer-config';

describe('parseKeygateConfig', () => {
  it('accepts the documented example cdk.json', () => {
    const config = parse({});
    expect(config).toMatchObject({
      region: 'eu-west-1',
      replicaRegions: ['us-east-1', 'ap-northeast-1'],
      tableName: 'keygate-entitlements',
    });
    expect(config.jwt.issuers.map((i) => i.jwks?.keys.length)).toEqual([1]);
  });

  it('names the lease table after the entitlement table unless leaseTableName says otherwise', () => {
    expect(parse({}).leaseTableName).toBe('keygate-entitlements-leases');
    expect(parse({ tableName: 'shop-grants' }).leaseTableName).toBe('shop-grants-leases');
    expect(parse({ leaseTableName: 'shop-leases' }).leaseTableName).toBe('shop-leases');
    expect(authorizerConfigFor(parse({ leaseTableName: 'shop-leases' }))).toMatchObject({
      tableName: 'keygate-entitlements',
      leaseTableName: 'shop-leases',
    });
  });

  it('gives each request a deadline of 3.5 s by default, baked for the edge function', () => {
    expect(authorizerConfigFor(parse({})).requestDeadlineMs).toBe(3500);
    expect(authorizerConfigFor(parse({ requestDeadlineMs: '3000', storeDeadlineMs: '2000' })).requestDeadlineMs).toBe(3000);
  });

  it('reads -c strings: lists, booleans, numbers and durations', () => {
    const config = parse({ replicaRegions: 'us-east-1,us-west-2', allowUidCookie: 'true', allowTtlSeconds: '10', jwtMaxLifetime: '2h' });
    expect([config.replicaRegions, config.allowUidCookie, config.cache.allowTtlSeconds, config.jwt.issuers[0].maxLifetimeSeconds]).toEqual([
      ['us-east-1', 'us-west-2'],
      true,
      10,
      7200,
    ]);
  });

  it.each([
    ['a missing issuer', { jwtIssuer: undefined }, /"jwtIssuer" must be the exact https issuer URL/],
    [
      'a replica equal to the stack region',
      { replicaRegions: ['eu-west-1'] },
      /"replicaRegions" must be other regions than the stack region "eu-west-1"/,
    ],
    ['a bad origin URL', { allowedOrigins: ['https://www.example.com/player'] }, /"allowedOrigins" must be a list of player origins/],
    [
      'a malformed JWKS',
      { jwks: '{"keys":[{"kty":"EC","alg":"HS256","kid":"k"}]}' },
      /"jwks" must be a JWKS of public RS256\/ES256\/ES384 keys/,
    ],
    [
      'a JWKS file that does not exist',
      { jwks: 'config/missing.json' },
      /"jwks" must be a JWKS object or the path of a JWKS file that exists/,
    ],
    ['a domain without its certificate', { domainName: 'video.example.com' }, /"certificateArn" must be set together/],
    [
      'a certificate outside us-east-1',
      { domainName: 'v.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' },
      /us-east-1/,
    ],
    ['a deployment endpoint override', { endpoint: 'http://127.0.0.1:8000' }, /"endpoint" must be absent/],
    ['an unknown price class', { priceClass: 'cheap' }, /"priceClass" must be one of/],
    [
      'a replica region Keygate cannot place',
      { replicaRegions: ['xx-nowhere-1'] },
      /"replicaRegions" must be regions whose location Keygate knows/,
    ],
    ['a stack region Keygate cannot place', { region: 'zz-south-9' }, /"region" must be regions whose location Keygate knows/],
    [
      'a path-token prefix that is not a plain segment',
      { pathTokenPrefix: 'T/x' },
      /"pathTokenPrefix" must be a path segment of a-z 0-9 -/,
    ],
    ['the path-token prefix "keys"', { pathTokenPrefix: 'keys' }, /"pathTokenPrefix" must be another segment than "videos" or "keys"/],
    [
      'a degraded-mode grace above its cap',
      { staleIfErrorSeconds: 301 },
      /"staleIfErrorSeconds" must be a whole number from 0 to 300 seconds \(0, the default, fails closed\): a viewer revoked/,
    ],
    ['a negative degraded-mode grace', { staleIfErrorSeconds: -1 }, /"staleIfErrorSeconds" must be a whole number from 0 to 300/],
    [
      'a stream lease shorter than 1.5 key windows',
      { segmentSeconds: 4, rotateEverySegments: 10, streamLeaseSeconds: '59s' },
      /"streamLeaseSeconds" must be at least 1.5 key windows \(60s: segmentSeconds 4 × rotateEverySegments 10 = 40s per key\)/,
    ],
    ['a settle time as long as the lease', { streamLeaseSeconds: '80s', streamSettleSeconds: 80 }, /"streamSettleSeconds" must be/],
    ['a negative default stream limit', { defaultMaxStreams: -1 }, /"defaultMaxStreams" must be a whole number from 0 to 1000/],
    ['a session claim that is no claim name', { sessionIdClaim: 'p sid' }, /"sessionIdClaim" must be a claim name/],
    ['the review’s 4000 ms store deadline', { storeDeadlineMs: 4000 }, /"storeDeadlineMs" must be a whole number from 100 to 3900/],
    [
      'a JWKS fetch and a store deadline that outlast the request (the review’s 2000 + 4000 ms is out of range; 2000 + 3000)',
      { jwksFetchTimeoutMs: 2000, storeDeadlineMs: 3000 },
      /"storeDeadlineMs" must be at most the request deadline \(3500 ms\) minus the JWKS fetch timeout \(2000 ms\)/,
    ],
    [
      'a request deadline past Lambda@Edge’s own',
      { requestDeadlineMs: 5000 },
      /"requestDeadlineMs" must be a whole number from 200 to 4000 ms/,
    ],
    [
      'a store deadline longer than a shorter request deadline',
      { requestDeadlineMs: 1500 },
      /"storeDeadlineMs" must be at most the request deadline \(1500 ms\)/,
    ],
    ['a lease table that is the entitlement table', { leaseTableName: 'keygate-entitlements' }, /"leaseTableName" must be another table/],
    ['a lease table name DynamoDB refuses', { leaseTableName: 'a b' }, /"leaseTableName" must be a DynamoDB table name/],
  ])('refuses %s with a message naming the key', (_name, overrides, message) => {
    expect(() => parse(overrides)).toThrow(InvalidConfigError);
    expect(() => parse(overrides)).toThrow(message);
  });
});

describe('stream limit settings', () => {
  it('default to no limit, the psid claim and a lease of two key windows', () => {
    expect(parse({ segmentSeconds: 4, rotateEverySegments: 10 }).streams).toEqual({
      sessionIdClaim: 'psid',
      leaseSeconds: 80,
      settleSeconds: 3,
      defaultMaxStreams: null,
    });
  });

  it('follow the rotation settings when the lease is not set', () => {
    expect(parse({ segmentSeconds: 6, rotateEverySegments: 2 }).streams.leaseSeconds).toBe(24);
  });

  it('read a default limit, a lease duration and a claim name from -c strings', () => {
    const { streams } = parse({ defaultMaxStreams: '2', streamLeaseSeconds: '2m', sessionIdClaim: 'playback_id' });
    expect(streams).toMatchObject({ defaultMaxStreams: 2, leaseSeconds: 120, sessionIdClaim: 'playback_id' });
  });

  it('reach the edge config as they are', () => {
    const config = parse({ defaultMaxStreams: 3 });
    expect(parseAuthorizerConfig(JSON.parse(JSON.stringify(authorizerConfigFor(config)))).streams).toEqual(config.streams);
  });
});

describe('authorizerConfigFor', () => {
  it('fails closed by default and bakes an opt-in degraded-mode grace for the edge function', () => {
    expect(authorizerConfigFor(parse({})).staleIfErrorSeconds).toBe(0);
    const baked = authorizerConfigFor(parse({ staleIfErrorSeconds: '60' }));
    expect(parseAuthorizerConfig(JSON.parse(JSON.stringify(baked))).staleIfErrorSeconds).toBe(60);
  });

  it('produces a config the edge function itself accepts', () => {
    const baked = authorizerConfigFor(parse({}));
    expect(parseAuthorizerConfig(JSON.parse(JSON.stringify(baked)))).toEqual(baked);
  });

  it('orders replicas nearest first for each edge region', () => {
    const baked = authorizerConfigFor(parse({}));
    expect(baked.replicaPreference['eu-central-1']).toEqual(['eu-west-1', 'us-east-1', 'ap-northeast-1']);
    expect(baked.replicaPreference['ap-southeast-1'][0]).toBe('ap-northeast-1');
    expect(baked.replicaPreference['us-west-2'][0]).toBe('us-east-1');
  });

  it('keeps the log salt stable across builds and points at a loopback endpoint only when asked', () => {
    expect(authorizerConfigFor(parse({})).logSalt).toBe(authorizerConfigFor(parse({})).logSalt);
    expect(authorizerConfigFor(parse({})).endpoint).toBeUndefined();
    expect(authorizerConfigFor(parse({}), { endpoint: 'http://127.0.0.1:4567' }).endpoint).toBe('http://127.0.0.1:4567');
  });
});

describe('nearestFirst', () => {
  it('keeps the configured order from an unknown region', () => {
    expect(nearestFirst('xx-nowhere-1', ['us-east-1', 'eu-west-1'])).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('ranks a replica of unknown location last, never as the nearest', () => {
    expect(nearestFirst('us-west-2', ['xx-nowhere-1', 'eu-west-1', 'us-east-1'])).toEqual(['us-east-1', 'eu-west-1', 'xx-nowhere-1']);
  });

  it.each([
    ['eu-central-1', 'ap-southeast-7', 'eu-west-1'],
    ['us-west-2', 'ap-southeast-7', 'us-east-1'],
    ['ap-southeast-1', 'us-east-1', 'ap-southeast-7'],
    ['ap-southeast-2', 'us-east-1', 'ap-southeast-6'],
    ['ap-northeast-1', 'eu-west-1', 'ap-east-2'],
  ])('from %s prefers the nearer of %s and %s', (edge, far, near) => {
    expect(nearestFirst(edge, [far, near])).toEqual([near, far]);
  });
});

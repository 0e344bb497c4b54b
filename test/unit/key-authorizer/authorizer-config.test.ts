import { InvalidAuthorizerConfigError, parseAuthorizerConfig } from '../../../lambda/key-authorizer/config/authorizer-config';
import { replicaOrder } from '../../../lambda/key-authorizer/entitlements/entitlement-store';
import { makeAuthorizerConfig, makeIssuer, makeJwtConfig, signingKeys } from '../../fixtures/authorizer-fixtures';

const roundTrip = (value: unknown) => parseAuthorizerConfig(JSON.parse(JSON.stringify(value)));

describe('parseAuthorizerConfig', () => {
  it('accepts a complete config unchanged', () => {
    const config = makeAuthorizerConfig({ endpoint: 'http://127.0.0.1:8000' });
    expect(roundTrip(config)).toEqual(config);
    const limited = makeAuthorizerConfig({ streams: { ...config.streams, defaultMaxStreams: 2 } });
    expect(roundTrip(limited).streams.defaultMaxStreams).toBe(2);
  });

  it.each([
    ['a missing issuer', { jwt: makeJwtConfig([makeIssuer({ issuer: '' })]) }, /jwt.issuers\[0\].issuer/],
    ['an empty JWKS', { jwt: makeJwtConfig([makeIssuer({ jwks: { keys: [] } })]) }, /jwt.issuers\[0\].jwks/],
    [
      'a JWK with an unsupported alg',
      { jwt: makeJwtConfig([makeIssuer({ jwks: { keys: [{ ...signingKeys.ES256.jwk, alg: 'HS256' } as never] } })]) },
      /alg/,
    ],
    [
      'a JWK holding private material',
      { jwt: makeJwtConfig([makeIssuer({ jwks: { keys: [{ ...signingKeys.ES256.jwk, d: 'secret' } as never] } })]) },
      /private/,
    ],
    [
      'an EC key declared as ES384 on P-256',
      { jwt: makeJwtConfig([makeIssuer({ jwks: { keys: [{ ...signingKeys.ES256.jwk, alg: 'ES384' }] } })]) },
      /P-384/,
    ],
    [
      'duplicate kids',
      { jwt: makeJwtConfig([makeIssuer({ jwks: { keys: [signingKeys.ES256.jwk, signingKeys.ES256.jwk] } })]) },
      /distinct kid/,
    ],
    [
      'an http jwksUri (the deployed code fetches keys over https only)',
      { jwt: makeJwtConfig([makeIssuer({ jwksUri: 'http://issuer.test/jwks' })]) },
      /jwt.issuers\[0\].jwksUri must be an https URL/,
    ],
    ['an issuer with no keys at all', { jwt: makeJwtConfig([makeIssuer({ jwks: undefined })]) }, /jwt.issuers\[0\] must be given keys/],
    [
      'an issuer meant for nobody',
      { jwt: makeJwtConfig([makeIssuer({ audience: [], clientIds: [] })]) },
      /jwt.issuers\[0\].audience must be a list of accepted aud values, or clientIds set/,
    ],
    [
      'the same issuer twice',
      { jwt: makeJwtConfig([makeIssuer(), makeIssuer()]) },
      /jwt.issuers must be issuers with distinct issuer values/,
    ],
    ['no issuer', { jwt: makeJwtConfig([]) }, /jwt.issuers must be a non-empty array/],
    ['a local CA that is not a PEM certificate', { jwt: makeJwtConfig(undefined, { localCa: 'trust me' }) }, /jwt.jwksFetch.localCa/],
    ['a token use other than id or access', { jwt: makeJwtConfig([makeIssuer({ tokenUse: 'refresh' as never })]) }, /tokenUse/],
    ['a preference naming an unknown replica', { replicaPreference: { 'us-east-1': ['ap-south-1'] } }, /replicaPreference/],
    ['a non-boolean allowUidCookie', { allowUidCookie: 'yes' }, /allowUidCookie/],
    ['a zero deadline', { store: { ...makeAuthorizerConfig().store, deadlineMs: 0 } }, /store.deadlineMs/],
    ['an endpoint with a path', { endpoint: 'http://127.0.0.1:8000/x' }, /endpoint/],
    ['a degraded-mode grace above the cap', { staleIfErrorSeconds: 301 }, /staleIfErrorSeconds must be a whole number from 0 to 300/],
    ['a missing degraded-mode grace', { staleIfErrorSeconds: undefined }, /staleIfErrorSeconds must be a whole number from 0/],
    ['no streams object', { streams: undefined }, /streams must be an object/],
    ['a settle time as long as the lease', { streams: { ...makeAuthorizerConfig().streams, settleSeconds: 60 } }, /streams.settleSeconds/],
    ['a negative default limit', { streams: { ...makeAuthorizerConfig().streams, defaultMaxStreams: -1 } }, /streams.defaultMaxStreams/],
    ['an empty session claim', { streams: { ...makeAuthorizerConfig().streams, sessionIdClaim: '' } }, /streams.sessionIdClaim/],
    ['no lease table', { leaseTableName: undefined }, /leaseTableName must be a DynamoDB table name/],
    ['leases in the entitlement table', { leaseTableName: makeAuthorizerConfig().tableName }, /leaseTableName must be another table/],
    ['no request deadline', { requestDeadlineMs: undefined }, /requestDeadlineMs must be a whole number from 200 to 4000/],
    [
      'a request deadline Lambda@Edge would cut short',
      { requestDeadlineMs: 4500 },
      /requestDeadlineMs must be a whole number from 200 to 4000/,
    ],
    [
      'a JWKS fetch and a store deadline that outlast the request',
      { jwt: makeJwtConfig(undefined, { timeoutMs: 2000 }), store: { ...makeAuthorizerConfig().store, deadlineMs: 2000 } },
      /store.deadlineMs must be at most the request deadline \(3500 ms\) minus the JWKS fetch timeout \(2000 ms\)/,
    ],
    [
      'an attempt longer than its store call',
      { store: { ...makeAuthorizerConfig().store, attemptTimeoutMs: 2000 } },
      /store.attemptTimeoutMs must be at most the store deadline \(1500 ms\)/,
    ],
  ])('refuses %s with a message naming the field', (_name, override, message) => {
    expect(() => roundTrip({ ...makeAuthorizerConfig(), ...override })).toThrow(InvalidAuthorizerConfigError);
    expect(() => roundTrip({ ...makeAuthorizerConfig(), ...override })).toThrow(message);
  });
});

describe('replicaOrder', () => {
  const config = makeAuthorizerConfig({
    replicaRegions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'],
    replicaPreference: { 'eu-central-1': ['eu-west-1', 'us-east-1', 'ap-northeast-1'] },
  });

  it('follows the baked preference for the executing edge region', () => {
    expect(replicaOrder(config, 'eu-central-1')).toEqual(['eu-west-1', 'us-east-1', 'ap-northeast-1']);
  });

  it('puts a replica in the executing region first', () => {
    expect(replicaOrder(config, 'ap-northeast-1')[0]).toBe('ap-northeast-1');
  });

  it('falls back to the configured order for an unknown or missing region', () => {
    expect(replicaOrder(config, 'sa-east-1')).toEqual(['us-east-1', 'eu-west-1', 'ap-northeast-1']);
    expect(replicaOrder(config, undefined)).toEqual(['us-east-1', 'eu-west-1', 'ap-northeast-1']);
  });
});

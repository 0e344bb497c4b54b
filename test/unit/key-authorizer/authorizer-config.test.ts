import { InvalidAuthorizerConfigError, parseAuthorizerConfig } from '../../../lambda/key-authorizer/authorizer-config';
import { replicaOrder } from '../../../lambda/key-authorizer/entitlement-store';
import { makeAuthorizerConfig, signingKeys } from '../../fixtures/authorizer-fixtures';

const roundTrip = (value: unknown) => parseAuthorizerConfig(JSON.parse(JSON.stringify(value)));

describe('parseAuthorizerConfig', () => {
  it('accepts a complete config unchanged', () => {
    const config = makeAuthorizerConfig({ endpoint: 'http://127.0.0.1:8000' });
    expect(roundTrip(config)).toEqual(config);
    const limited = makeAuthorizerConfig({ streams: { ...config.streams, defaultMaxStreams: 2 } });
    expect(roundTrip(limited).streams.defaultMaxStreams).toBe(2);
  });

  it.each([
    ['a missing issuer', { jwt: { ...makeAuthorizerConfig().jwt, issuer: '' } }, /jwt.issuer/],
    ['an empty JWKS', { jwt: { ...makeAuthorizerConfig().jwt, jwks: { keys: [] } } }, /jwt.jwks/],
    [
      'a JWK with an unsupported alg',
      { jwt: { ...makeAuthorizerConfig().jwt, jwks: { keys: [{ ...signingKeys.ES256.jwk, alg: 'HS256' }] } } },
      /alg/,
    ],
    [
      'a JWK holding private material',
      { jwt: { ...makeAuthorizerConfig().jwt, jwks: { keys: [{ ...signingKeys.ES256.jwk, d: 'secret' }] } } },
      /private/,
    ],
    [
      'an EC key declared as ES384 on P-256',
      { jwt: { ...makeAuthorizerConfig().jwt, jwks: { keys: [{ ...signingKeys.ES256.jwk, alg: 'ES384' }] } } },
      /P-384/,
    ],
    [
      'duplicate kids',
      { jwt: { ...makeAuthorizerConfig().jwt, jwks: { keys: [signingKeys.ES256.jwk, signingKeys.ES256.jwk] } } },
      /distinct kid/,
    ],
    ['a preference naming an unknown replica', { replicaPreference: { 'us-east-1': ['ap-south-1'] } }, /replicaPreference/],
    ['a non-boolean allowUidCookie', { allowUidCookie: 'yes' }, /allowUidCookie/],
    ['a zero deadline', { store: { ...makeAuthorizerConfig().store, deadlineMs: 0 } }, /store.deadlineMs/],
    ['an endpoint with a path', { endpoint: 'http://127.0.0.1:8000/x' }, /endpoint/],
    ['no streams object', { streams: undefined }, /streams must be an object/],
    ['a settle time as long as the lease', { streams: { ...makeAuthorizerConfig().streams, settleSeconds: 60 } }, /streams.settleSeconds/],
    ['a negative default limit', { streams: { ...makeAuthorizerConfig().streams, defaultMaxStreams: -1 } }, /streams.defaultMaxStreams/],
    ['an empty session claim', { streams: { ...makeAuthorizerConfig().streams, sessionIdClaim: '' } }, /streams.sessionIdClaim/],
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

import { parseAuthorizerConfig } from '../../../lambda/key-authorizer/config/authorizer-config';
import { authorizerConfigFor } from '../../../lib/config/authorizer-config-for';
import { InvalidConfigError } from '../../../lib/config/keygate-config';
import { EXAMPLE_CONTEXT, parseExampleConfig as parse } from '../../fixtures/example-context';

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';
const AUTH0 = {
  issuer: 'https://example.eu.auth0.com/',
  audience: ['https://api.example.com'],
  jwksUri: 'https://example.eu.auth0.com/.well-known/jwks.json',
};

describe('trustedIssuers in cdk.json', () => {
  it('keeps the single-issuer keys as the first issuer and adds the listed providers after it', () => {
    const config = parse({ trustedIssuers: [AUTH0] });
    expect(config.jwt.issuers.map((i) => i.issuer)).toEqual([EXAMPLE_CONTEXT.jwtIssuer, AUTH0.issuer]);
    expect(config.jwt.issuers[1]).toMatchObject({
      ...AUTH0,
      clientIds: [],
      uidClaim: 'sub',
      videosClaim: 'vids',
      maxLifetimeSeconds: 86400,
    });
  });

  it('trusts only the listed providers when no jwtIssuer is set', () => {
    const config = parse({ jwtIssuer: undefined, jwtAudience: undefined, jwks: undefined, trustedIssuers: [AUTH0] });
    expect(config.jwt.issuers.map((i) => i.issuer)).toEqual([AUTH0.issuer]);
  });

  it('reads the Cognito presets: ID tokens by aud, access tokens by client_id', () => {
    const config = parse({
      trustedIssuers: [{ issuer: COGNITO, jwksUri: `${COGNITO}/.well-known/jwks.json`, audience: ['app-client-id'], tokenUse: 'id' }],
    });
    expect(config.jwt.issuers[1]).toMatchObject({ tokenUse: 'id', audience: ['app-client-id'] });
    const access = parse({
      trustedIssuers: [{ issuer: COGNITO, jwksUri: `${COGNITO}/.well-known/jwks.json`, clientIds: ['app'], tokenUse: 'access' }],
    });
    expect(access.jwt.issuers[1]).toMatchObject({ tokenUse: 'access', clientIds: ['app'], audience: [] });
  });

  it('bakes a config the edge function accepts, with fetch limits and no local CA', () => {
    const baked = authorizerConfigFor(parse({ trustedIssuers: [AUTH0], jwksCooldown: '1m', jwksMaxKeyAge: '15m' }));
    expect(parseAuthorizerConfig(JSON.parse(JSON.stringify(baked)))).toEqual(baked);
    expect(baked.jwt.jwksFetch).toEqual({ timeoutMs: 1000, maxBytes: 65536, cooldownSeconds: 60, maxKeyAgeSeconds: 900 });
  });

  it('trusts a local CA only when keygate dev or a test asks for it', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const baked = authorizerConfigFor(parse({}), { endpoint: 'http://127.0.0.1:4567', jwksCa: ca });
    expect(baked.jwt.jwksFetch.localCa).toBe(ca);
  });

  it.each([
    [
      'an http jwksUri',
      { trustedIssuers: [{ ...AUTH0, jwksUri: 'http://example.eu.auth0.com/jwks' }] },
      /"trustedIssuers\[0\].jwksUri" must be an https URL/,
    ],
    [
      'a jwksUri with a query',
      { trustedIssuers: [{ ...AUTH0, jwksUri: `${AUTH0.jwksUri}?x=1` }] },
      /"trustedIssuers\[0\].jwksUri" must be an https URL/,
    ],
    [
      'an issuer without keys',
      { trustedIssuers: [{ issuer: AUTH0.issuer, audience: AUTH0.audience }] },
      /"trustedIssuers\[0\].jwksUri" must be set/,
    ],
    [
      'an issuer meant for nobody',
      { trustedIssuers: [{ issuer: AUTH0.issuer, jwksUri: AUTH0.jwksUri }] },
      /"trustedIssuers\[0\].audience" must be/,
    ],
    [
      'an http issuer',
      { trustedIssuers: [{ ...AUTH0, issuer: 'http://example.eu.auth0.com/' }] },
      /"trustedIssuers\[0\].issuer" must be the exact https issuer URL/,
    ],
    ['an issuer listed twice', { trustedIssuers: [AUTH0, AUTH0] }, /"trustedIssuers" must be each issuer once/],
    [
      'the jwtIssuer listed again',
      { trustedIssuers: [{ ...AUTH0, issuer: EXAMPLE_CONTEXT.jwtIssuer }] },
      /listed twice, jwtIssuer included/,
    ],
    [
      'an unknown field',
      { trustedIssuers: [{ ...AUTH0, jwks_uri: AUTH0.jwksUri }] },
      /"trustedIssuers\[0\].jwks_uri" must be absent \(known fields/,
    ],
    [
      'a token use that is neither id nor access',
      { trustedIssuers: [{ ...AUTH0, tokenUse: 'refresh' }] },
      /"trustedIssuers\[0\].tokenUse" must be "id" or "access"/,
    ],
    [
      'a Cognito pool without tokenUse',
      { trustedIssuers: [{ issuer: COGNITO, jwksUri: `${COGNITO}/.well-known/jwks.json`, audience: ['a'] }] },
      /tokenUse" must be "id" or "access" for a Cognito user pool/,
    ],
    [
      'Cognito access tokens without clientIds',
      { trustedIssuers: [{ issuer: COGNITO, jwksUri: `${COGNITO}/jwks`, audience: ['a'], tokenUse: 'access' }] },
      /"trustedIssuers\[0\].clientIds" must be your app client ids/,
    ],
    [
      'Cognito ID tokens without audience',
      { trustedIssuers: [{ issuer: COGNITO, jwksUri: `${COGNITO}/jwks`, clientIds: ['a'], tokenUse: 'id' }] },
      /"trustedIssuers\[0\].audience" must be your app client ids/,
    ],
    ['a list that is not a list', { trustedIssuers: { issuer: AUTH0.issuer } }, /"trustedIssuers" must be a list of issuer objects/],
    ['a local CA in a deployment', { jwksLocalCa: '-----BEGIN CERTIFICATE-----' }, /"jwksLocalCa" must be absent/],
    [
      'a key age not longer than the cooldown',
      { jwksCooldown: '10m', jwksMaxKeyAge: '5m' },
      /"jwksMaxKeyAge" must be longer than the JWKS cooldown \(600 s\).*lower jwksCooldown/,
    ],
    ['a fetch deadline past the budget', { jwksFetchTimeoutMs: 5000 }, /"jwksFetchTimeoutMs" must be a whole number from 100 to 2000/],
  ])('refuses %s with a message naming the key', (_name, overrides, message) => {
    expect(() => parse(overrides)).toThrow(InvalidConfigError);
    expect(() => parse(overrides)).toThrow(message);
  });
});

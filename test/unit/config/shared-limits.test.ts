import {
  CONFIG_RANGES,
  InvalidAuthorizerConfigError,
  parseAuthorizerConfig,
  type AuthorizerConfig,
} from '../../../lambda/key-authorizer/config/authorizer-config';
import type { ConfigRangeName } from '../../../lambda/key-authorizer/config/config-limits';
import { authorizerConfigFor } from '../../../lib/config/authorizer-config-for';
import { InvalidConfigError, parseKeygateConfig } from '../../../lib/config/keygate-config';
import { EXAMPLE_CONTEXT, PROJECT_ROOT } from '../../fixtures/synth-keygate';

// cdk.json and the baked authorizer-config.json are checked against the same limits: a value one side
// refuses, the other refuses too. The adversary is a hand edit of the baked file (or a stale one).

type Context = Record<string, unknown>;
const parseContext = (overrides: Context) => parseKeygateConfig({ ...EXAMPLE_CONTEXT, ...overrides }, { baseDir: PROJECT_ROOT });
/** The baked config as a deployment produces it from `overrides`, with `edit` applied to its JSON as a hand would. */
function bakedWith(overrides: Context, edit: (json: AuthorizerConfig) => void): unknown {
  const json = JSON.parse(JSON.stringify(authorizerConfigFor(parseContext(overrides)))) as AuthorizerConfig;
  edit(json);
  return json;
}

interface Where {
  /** The cdk.json key that sets the value, and the context around it that keeps the other rules satisfied. */
  contextKey: string;
  context?: Context;
  /** The baked field, and a setter for it. */
  bakedPath: string;
  bake: (json: AuthorizerConfig, value: number) => void;
}

/** Where each shared range is set on both sides: a range added without a line here fails the type check and this test. */
const WHERE: Record<ConfigRangeName, Where> = {
  issuerMaxLifetimeSeconds: {
    contextKey: 'jwtMaxLifetime',
    bakedPath: 'jwt.issuers[0].maxLifetimeSeconds',
    bake: (j, v) => (j.jwt.issuers[0].maxLifetimeSeconds = v),
  },
  jwksFetchTimeoutMs: {
    contextKey: 'jwksFetchTimeoutMs',
    bakedPath: 'jwt.jwksFetch.timeoutMs',
    bake: (j, v) => (j.jwt.jwksFetch.timeoutMs = v),
  },
  jwksMaxBytes: { contextKey: 'jwksMaxBytes', bakedPath: 'jwt.jwksFetch.maxBytes', bake: (j, v) => (j.jwt.jwksFetch.maxBytes = v) },
  jwksCooldownSeconds: {
    contextKey: 'jwksCooldown',
    context: { jwksMaxKeyAge: CONFIG_RANGES.jwksMaxKeyAgeSeconds.max },
    bakedPath: 'jwt.jwksFetch.cooldownSeconds',
    bake: (j, v) => (j.jwt.jwksFetch.cooldownSeconds = v),
  },
  jwksMaxKeyAgeSeconds: {
    contextKey: 'jwksMaxKeyAge',
    bakedPath: 'jwt.jwksFetch.maxKeyAgeSeconds',
    bake: (j, v) => (j.jwt.jwksFetch.maxKeyAgeSeconds = v),
  },
  pathTokenMaxLifetimeSeconds: {
    contextKey: 'pathTokenMaxLifetime',
    bakedPath: 'pathToken.maxLifetimeSeconds',
    bake: (j, v) => (j.pathToken.maxLifetimeSeconds = v),
  },
  allowTtlSeconds: { contextKey: 'allowTtlSeconds', bakedPath: 'cache.allowTtlSeconds', bake: (j, v) => (j.cache.allowTtlSeconds = v) },
  denyTtlSeconds: { contextKey: 'denyTtlSeconds', bakedPath: 'cache.denyTtlSeconds', bake: (j, v) => (j.cache.denyTtlSeconds = v) },
  cacheMaxEntries: { contextKey: 'cacheMaxEntries', bakedPath: 'cache.maxEntries', bake: (j, v) => (j.cache.maxEntries = v) },
  storeDeadlineMs: {
    contextKey: 'storeDeadlineMs',
    // The longest store deadline fits only the longest request with the shortest JWKS fetch.
    context: { requestDeadlineMs: CONFIG_RANGES.requestDeadlineMs.max, jwksFetchTimeoutMs: CONFIG_RANGES.jwksFetchTimeoutMs.min },
    bakedPath: 'store.deadlineMs',
    bake: (j, v) => ((j.store.deadlineMs = v), (j.store.attemptTimeoutMs = Math.min(j.store.attemptTimeoutMs, v))),
  },
  requestDeadlineMs: {
    contextKey: 'requestDeadlineMs',
    // The shortest request holds only the shortest store deadline and JWKS fetch.
    context: { storeDeadlineMs: CONFIG_RANGES.storeDeadlineMs.min, jwksFetchTimeoutMs: CONFIG_RANGES.jwksFetchTimeoutMs.min },
    bakedPath: 'requestDeadlineMs',
    bake: (j, v) => (j.requestDeadlineMs = v),
  },
  staleIfErrorSeconds: { contextKey: 'staleIfErrorSeconds', bakedPath: 'staleIfErrorSeconds', bake: (j, v) => (j.staleIfErrorSeconds = v) },
  streamLeaseSeconds: {
    contextKey: 'streamLeaseSeconds',
    // A one-second key window and settle time, so that the shortest lease satisfies the rules around it.
    context: { segmentSeconds: 1, rotateEverySegments: 1, streamSettleSeconds: 1 },
    bakedPath: 'streams.leaseSeconds',
    bake: (j, v) => (j.streams.leaseSeconds = v),
  },
  streamSettleSeconds: {
    contextKey: 'streamSettleSeconds',
    context: { streamLeaseSeconds: CONFIG_RANGES.streamLeaseSeconds.max },
    bakedPath: 'streams.settleSeconds',
    bake: (j, v) => (j.streams.settleSeconds = v),
  },
  defaultMaxStreams: {
    contextKey: 'defaultMaxStreams',
    bakedPath: 'streams.defaultMaxStreams',
    bake: (j, v) => (j.streams.defaultMaxStreams = v),
  },
};

const ranges = Object.entries(CONFIG_RANGES) as [ConfigRangeName, { min: number; max: number }][];

describe('cdk.json and the baked config share their limits', () => {
  it('names where every shared range is set', () => {
    expect(Object.keys(WHERE).sort()).toEqual(Object.keys(CONFIG_RANGES).sort());
  });

  describe.each(ranges)('%s', (name, range) => {
    const where = WHERE[name];
    const context = (value: number) => ({ ...where.context, [where.contextKey]: value });

    it.each([range.min, range.max])('accepts %i on both sides', (value) => {
      expect(() => parseContext(context(value))).not.toThrow();
      const baked = bakedWith(where.context ?? {}, (json) => where.bake(json, value));
      expect(() => parseAuthorizerConfig(baked)).not.toThrow();
    });

    it.each([range.min - 1, range.max + 1])('refuses %i on both sides, each naming its own field', (value) => {
      expect(() => parseContext(context(value))).toThrow(InvalidConfigError);
      expect(() => parseContext(context(value))).toThrow(`"${where.contextKey}" must be`);
      const baked = bakedWith(where.context ?? {}, (json) => where.bake(json, value));
      expect(() => parseAuthorizerConfig(baked)).toThrow(InvalidAuthorizerConfigError);
      expect(() => parseAuthorizerConfig(baked)).toThrow(`authorizer config: ${where.bakedPath} must be`);
    });
  });
});

describe('the rules between fields hold at load as in cdk.json', () => {
  const edits: [string, Context, (json: AuthorizerConfig) => void, RegExp, RegExp][] = [
    [
      'a fetched-key age not longer than the cooldown',
      { jwksCooldown: 120, jwksMaxKeyAge: 120 },
      (j) => ((j.jwt.jwksFetch.cooldownSeconds = 120), (j.jwt.jwksFetch.maxKeyAgeSeconds = 120)),
      /"jwksMaxKeyAge" must be longer than the JWKS cooldown \(120 s\)/,
      /jwt.jwksFetch.maxKeyAgeSeconds must be longer than the JWKS cooldown \(120 s\)/,
    ],
    [
      'a settle time as long as the lease',
      { streamLeaseSeconds: 60, streamSettleSeconds: 60 },
      (j) => ((j.streams.leaseSeconds = 60), (j.streams.settleSeconds = 60)),
      /"streamSettleSeconds" must be less than the stream lease \(60 s\)/,
      /streams.settleSeconds must be less than the stream lease \(60 s\)/,
    ],
    [
      'a Cognito pool without a token use',
      {
        trustedIssuers: [
          { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC', audience: ['app'], jwksUri: 'https://x.test/j' },
        ],
      },
      (j) => j.jwt.issuers.push({ ...j.jwt.issuers[0], issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' }),
      /"trustedIssuers\[0\].tokenUse" must be "id" or "access" for a Cognito user pool/,
      /jwt.issuers\[1\].tokenUse must be "id" or "access" for a Cognito user pool/,
    ],
    [
      'a viewer-id prefix that begins another',
      {
        trustedIssuers: [
          { issuer: 'https://a.test', audience: ['app'], jwksUri: 'https://a.test/j', uidPrefix: 'p' },
          { issuer: 'https://b.test', audience: ['app'], jwksUri: 'https://b.test/j', uidPrefix: 'pa' },
        ],
      },
      (j) =>
        j.jwt.issuers.push(
          { ...j.jwt.issuers[0], issuer: 'https://a.test', uidPrefix: 'p' },
          { ...j.jwt.issuers[0], issuer: 'https://b.test', uidPrefix: 'pa' },
        ),
      /"trustedIssuers\[0\].uidPrefix" must be a prefix that no other issuer's uidPrefix begins with \("pa" does\)/,
      /jwt.issuers\[1\].uidPrefix must be a prefix that no other issuer's uidPrefix begins with \("pa" does\)/,
    ],
  ];
  it.each(edits)('refuses %s on both sides', (_name, context, edit, cdkMessage, bakedMessage) => {
    expect(() => parseContext(context)).toThrow(cdkMessage);
    expect(() => parseAuthorizerConfig(bakedWith({}, edit))).toThrow(bakedMessage);
  });
});

describe('the shared patterns hold at load as in cdk.json', () => {
  const patterns: [string, Context, (json: AuthorizerConfig) => void, string, string][] = [
    ['a cookie name with a space', { cookieName: 'my token' }, (j) => (j.cookieName = 'my token'), '"cookieName"', 'cookieName'],
    [
      'a player origin with a path',
      { allowedOrigins: ['https://a.test/p'] },
      (j) => (j.allowedOrigins = ['https://a.test/p']),
      '"allowedOrigins"',
      'allowedOrigins[0]',
    ],
    ['a table name of two characters', { tableName: 'ab' }, (j) => (j.tableName = 'ab'), '"tableName"', 'tableName'],
    ['a claim name with a slash', { uidClaim: 'a/b' }, (j) => (j.jwt.issuers[0].uidClaim = 'a/b'), '"uidClaim"', 'jwt.issuers[0].uidClaim'],
    ['a short log salt', { decisionLogSalt: 'short' }, (j) => (j.logSalt = 'short'), '"decisionLogSalt"', 'logSalt'],
    [
      'a viewer-id prefix with #',
      { trustedIssuers: [{ issuer: 'https://a.test', audience: ['app'], jwksUri: 'https://a.test/j', uidPrefix: 'p#' }] },
      (j) => (j.jwt.issuers[0].uidPrefix = 'p#'),
      '"trustedIssuers[0].uidPrefix"',
      'jwt.issuers[0].uidPrefix',
    ],
  ];
  it.each(patterns)('refuses %s on both sides', (_name, context, edit, cdkKey, bakedPath) => {
    expect(() => parseContext(context)).toThrow(`${cdkKey} must be`);
    expect(() => parseAuthorizerConfig(bakedWith({}, edit))).toThrow(`authorizer config: ${bakedPath} must be`);
  });

  it('refuses a misspelt issuer field in the baked config, as cdk.json does', () => {
    expect(() =>
      parseContext({ trustedIssuers: [{ issuer: 'https://a.test', audience: ['app'], jwksUri: 'https://a.test/j', uidPrefx: 'p:' }] }),
    ).toThrow('"trustedIssuers[0].uidPrefx" must be absent');
    expect(() =>
      parseAuthorizerConfig(bakedWith({}, (j) => ((j.jwt.issuers[0] as unknown as Record<string, unknown>).uidPrefx = 'p:'))),
    ).toThrow('authorizer config: jwt.issuers[0].uidPrefx must be absent');
  });

  it('bakes what cdk.json gives, prefix included, and the load accepts it unchanged', () => {
    const trustedIssuers = [{ issuer: 'https://a.test', audience: ['app'], jwksUri: 'https://a.test/j', uidPrefix: 'partner:' }];
    const baked: AuthorizerConfig = authorizerConfigFor(parseContext({ trustedIssuers }));
    expect(baked.jwt.issuers[1].uidPrefix).toBe('partner:');
    expect(parseAuthorizerConfig(JSON.parse(JSON.stringify(baked)))).toEqual(baked);
  });
});

import { stripPathTokenFunctionCode } from '../../lambda/path-token-function/strip-path-token';
import { LIVE_PLAYLIST_CACHE_CONTROL } from '../../lib/live/live-origin';
import { objectPolicyOf } from '../../lib/media/origin-layout';
import { WITH_CUSTOM_DOMAIN, sharedSynthKeygate, synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
let custom: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
  custom = sharedSynthKeygate(WITH_CUSTOM_DOMAIN);
});

type Config = { DefaultCacheBehavior: Record<string, unknown>; CacheBehaviors: Record<string, unknown>[] } & Record<string, unknown>;
function distributionConfig(s: SynthesizedKeygate): Config {
  const distributions = s.template.findResources('AWS::CloudFront::Distribution');
  expect(Object.keys(distributions)).toHaveLength(1);
  return (Object.values(distributions)[0] as { Properties: { DistributionConfig: Config } }).Properties.DistributionConfig;
}
function resourceById(s: SynthesizedKeygate, ref: unknown) {
  const id = (ref as { Ref: string }).Ref;
  return (s.template.toJSON().Resources[id] as { Properties: Record<string, Record<string, unknown>> }).Properties;
}

describe('KeyDistribution', () => {
  it('runs the authorizer as the one viewer-request function of /keys/*, and no function on the default behavior', () => {
    const config = distributionConfig(synth);
    const keys = config.CacheBehaviors[0];
    expect(keys.PathPattern).toBe('/keys/*');
    expect(keys.LambdaFunctionAssociations).toEqual([{ EventType: 'viewer-request', LambdaFunctionARN: expect.anything() }]);
    expect(keys.FunctionAssociations).toBeUndefined();
    expect(config.DefaultCacheBehavior.LambdaFunctionAssociations).toBeUndefined();
    expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
  });

  it('orders the path-token behaviors after /keys/*: its keys pattern before its media pattern', () => {
    expect(distributionConfig(synth).CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/keys/*', '/t/*/keys/*', '/t/*']);
  });

  it('runs the same authorizer on path-token keys as on /keys/*, with the same cache and headers policies', () => {
    const [keys, pathKeys] = distributionConfig(synth).CacheBehaviors;
    expect({ ...pathKeys, PathPattern: keys.PathPattern }).toEqual(keys);
  });

  it('strips the token from path-token media with a cloudfront-js-2.0 function, and caches it like the default behavior', () => {
    const config = distributionConfig(synth);
    const media = config.CacheBehaviors[2];
    expect(media.LambdaFunctionAssociations).toBeUndefined();
    expect(media.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
    const { PathPattern: _pattern, FunctionAssociations: _functions, ...rest } = media;
    expect(rest).toEqual(config.DefaultCacheBehavior);
    const functions = Object.values(synth.template.findResources('AWS::CloudFront::Function')) as { Properties: Record<string, unknown> }[];
    expect(functions).toHaveLength(1);
    expect(functions[0].Properties).toMatchObject({
      FunctionCode: stripPathTokenFunctionCode('t'),
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
      AutoPublish: true,
    });
  });

  it('uses the configured path-token prefix in both patterns and in the function', () => {
    const other = synthKeygate({ pathTokenPrefix: 'play' });
    try {
      expect(distributionConfig(other).CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/keys/*', '/play/*/keys/*', '/play/*']);
      const functions = Object.values(other.template.findResources('AWS::CloudFront::Function')) as {
        Properties: { FunctionCode: string };
      }[];
      expect(functions[0].Properties.FunctionCode).toBe(stripPathTokenFunctionCode('play'));
    } finally {
      other.cleanup();
    }
  });

  it('keeps cookies, headers and query strings out of the keys cache key', () => {
    const policy = resourceById(synth, distributionConfig(synth).CacheBehaviors[0].CachePolicyId).CachePolicyConfig as Record<
      string,
      Record<string, unknown>
    >;
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: { HeaderBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
  });

  it('keeps keys in the edge cache for at least a day, whatever Cache-Control the key object has', () => {
    const policy = resourceById(synth, distributionConfig(synth).CacheBehaviors[0].CachePolicyId).CachePolicyConfig as Record<
      string,
      unknown
    >;
    expect(policy).toMatchObject({ MinTTL: 86400, DefaultTTL: 86400, MaxTTL: 365 * 86400 });
  });

  it('allows GET, HEAD and OPTIONS on /keys/* over HTTPS only', () => {
    expect(distributionConfig(synth).CacheBehaviors[0]).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      ViewerProtocolPolicy: 'https-only',
    });
  });

  it('sends keys with Cache-Control private, no-store and CORS with credentials for the configured origins', () => {
    const policy = resourceById(synth, distributionConfig(synth).CacheBehaviors[0].ResponseHeadersPolicyId).ResponseHeadersPolicyConfig;
    expect(policy).toMatchObject({
      CustomHeadersConfig: { Items: [{ Header: 'Cache-Control', Value: 'private, no-store', Override: true }] },
      CorsConfig: {
        AccessControlAllowCredentials: true,
        AccessControlAllowOrigins: { Items: ['https://www.example.com'] },
        AccessControlExposeHeaders: { Items: ['x-keygate-reason', 'retry-after'] },
      },
    });
  });

  it('caches media as each object’s Cache-Control says, down to zero: live playlists a second, segments a year', () => {
    const policy = resourceById(synth, distributionConfig(synth).DefaultCacheBehavior.CachePolicyId).CachePolicyConfig as Record<
      string,
      unknown
    >;
    expect(policy).toMatchObject({ MinTTL: 0, DefaultTTL: 86400, MaxTTL: 365 * 86400 });
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: { HeaderBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
    });
    // What the live packager writes must fit in it: a playlist at most 2 s, a segment at least a day.
    const seconds = (cacheControl: string) => Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
    expect(seconds(LIVE_PLAYLIST_CACHE_CONTROL)).toBeLessThanOrEqual(2);
    expect(seconds(objectPolicyOf('videos/live/180p/7.ts').cacheControl)).toBeGreaterThanOrEqual(86400);
  });

  it('caches media compressed, redirected to HTTPS, over HTTP/2 and HTTP/3', () => {
    const config = distributionConfig(synth);
    expect(config.DefaultCacheBehavior).toMatchObject({
      Compress: true,
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    expect(config).toMatchObject({ HttpVersion: 'http2and3', PriceClass: 'PriceClass_200' });
  });

  it('uses the custom domain with TLS 1.2 or later and attaches the WAF web ACL when configured', () => {
    expect(distributionConfig(custom)).toMatchObject({
      Aliases: ['video.example.com'],
      ViewerCertificate: {
        AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
      WebACLId: expect.stringContaining(':global/webacl/keygate/'),
    });
  });
});

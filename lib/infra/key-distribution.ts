import { Duration, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPOSED_KEY_HEADERS, KEYS_PATH_PATTERN, pathTokenKeysPattern, pathTokenMediaPattern } from '../../lambda/key-authorizer/contract';
import { stripPathTokenFunctionCode } from '../../lambda/path-token-function/strip-path-token';

/** How long CloudFront keeps a key at least, whatever the key object's Cache-Control says. */
export const KEY_EDGE_CACHE_MIN_TTL = Duration.days(1);

export interface KeyDistributionProps {
  /** Playlists and segments: the default behavior's origin, served with no function. */
  mediaBucket: s3.IBucket;
  /** Keys only: the origin of the keys behavior alone, behind the authorizer. */
  keyBucket: s3.IBucket;
  authorizer: cloudfront.experimental.EdgeFunction;
  allowedOrigins: string[];
  /** First path segment of path-token URLs. */
  pathTokenPrefix: string;
  priceClass: cloudfront.PriceClass;
  customDomain?: { domainName: string; certificateArn: string };
  webAclArn?: string;
}

/**
 * CloudFront in front of two buckets: the media bucket on the default behavior, playlists and
 * segments cached with no function at all; the key bucket on `/keys/*` only, through the key
 * authorizer on viewer-request, with nothing of the viewer's credentials in the cache key and
 * `Cache-Control: private, no-store` towards the viewer. No ungated behavior has the key bucket as
 * its origin, so no path encoding can reach a key without the authorizer.
 */
export class KeyDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: KeyDistributionProps) {
    super(scope, id);
    const mediaOrigin = origins.S3BucketOrigin.withOriginAccessControl(props.mediaBucket);
    // LIST makes a missing key a 404 instead of a 403 that reads like a denial. Safe here: only the
    // authorizer reaches this bucket, and it forwards nothing but well-formed key paths. Never on media:
    // GET / through the default behavior would then list every object, unreleased titles included.
    const keyOrigin = origins.S3BucketOrigin.withOriginAccessControl(props.keyBucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });
    const cors = (allowCredentials: boolean, exposeHeaders: string[]): cloudfront.ResponseHeadersCorsBehavior | undefined =>
      props.allowedOrigins.length === 0
        ? undefined
        : {
            accessControlAllowOrigins: props.allowedOrigins,
            accessControlAllowCredentials: allowCredentials,
            accessControlAllowHeaders: ['authorization', 'range'],
            accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
            accessControlExposeHeaders: exposeHeaders,
            accessControlMaxAge: Duration.minutes(10),
            originOverride: true,
          };

    const mediaHeaders = new cloudfront.ResponseHeadersPolicy(this, 'MediaHeaders', {
      comment: 'Keygate media: CORS for the configured player origins',
      corsBehavior: cors(true, []),
    });
    const keyHeaders = new cloudfront.ResponseHeadersPolicy(this, 'KeyHeaders', {
      comment: 'Keygate keys: never stored by browsers or shared caches; CORS with credentials',
      corsBehavior: cors(true, EXPOSED_KEY_HEADERS),
      customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: 'private, no-store', override: true }] },
    });
    // The authorizer runs before the cache on every request; the cache key must hold nothing of
    // the viewer (no cookie, header or token), or each viewer would get a cache entry of their own.
    // Keys are edge-cached, so an allowed request is not an S3 round trip to the bucket's region.
    // The minimum TTL makes CloudFront keep even keys published with `private, no-store` (before
    // `keygate publish` wrote s-maxage); viewers still get `private, no-store` from keyHeaders.
    const keyCachePolicy = new cloudfront.CachePolicy(this, 'KeyCachePolicy', {
      comment: 'Keygate keys: edge-cached; no headers, cookies or query strings in the cache key',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      defaultTtl: Duration.days(1),
      minTtl: KEY_EDGE_CACHE_MIN_TTL,
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });

    // Media: each object's Cache-Control decides, down to zero: a live playlist (max-age=1) is kept a
    // second, a segment (immutable) a year, a VOD playlist a minute. CachingOptimized would keep
    // everything at least a second and compress the same; this says it, and lets 0 mean 0.
    const mediaCachePolicy = new cloudfront.CachePolicy(this, 'MediaCachePolicy', {
      comment: 'Keygate media: origin Cache-Control decides (live playlists 1 s, segments a year); nothing of the viewer in the cache key',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const media: cloudfront.BehaviorOptions = {
      origin: mediaOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: mediaCachePolicy,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      compress: true,
      responseHeadersPolicy: mediaHeaders,
    };
    const keys: cloudfront.BehaviorOptions = {
      origin: keyOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      cachePolicy: keyCachePolicy,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: false,
      responseHeadersPolicy: keyHeaders,
      edgeLambdas: [{ functionVersion: props.authorizer.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }],
    };
    // Path tokens: the token is stripped from media URLs before the cache lookup (one shared entry
    // per segment) and judged by the authorizer on key URLs, which it forwards as plain key paths.
    const stripPathToken = new cloudfront.Function(this, 'StripPathToken', {
      comment: 'Keygate: /<prefix>/<token>/videos/... to /videos/... (the token is judged only on keys)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(stripPathTokenFunctionCode(props.pathTokenPrefix)),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Keygate: encrypted HLS with gated keys',
      defaultBehavior: media,
      // First match wins, in this order: both key patterns before the path-token media pattern.
      additionalBehaviors: {
        [KEYS_PATH_PATTERN]: keys,
        [pathTokenKeysPattern(props.pathTokenPrefix)]: keys,
        [pathTokenMediaPattern(props.pathTokenPrefix)]: {
          ...media,
          functionAssociations: [{ function: stripPathToken, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Per-status error rates (401, 403, 503…) and cache hit rate, for the dashboard and the alarms.
      publishAdditionalMetrics: true,
      priceClass: props.priceClass,
      // Access logs are standard logging v2 (AccessLogs), whose field list leaves tokens out;
      // legacy logging always records the query string.
      enableLogging: false,
      ...(props.customDomain
        ? {
            domainNames: [props.customDomain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });

    if (!props.customDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves *.cloudfront.net with its default certificate, whose minimum protocol cannot be raised. Set domainName and certificateArn to get TLSv1.2_2021.',
      });
    }
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A WAF web ACL is optional (webAclArn): keys are gated per request by the authorizer and media is encrypted; operators who need rate limiting attach their own CLOUDFRONT-scope web ACL.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'Access logs are delivered by CloudFront standard logging v2 (the AccessLogs construct), which cdk-nag does not see; legacy logging is off because it always records the query string, where a ?token= would be kept.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'Annotation::@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      reason:
        'Only the key bucket origin may list, and it is never the default behavior: it serves /keys/* behind the authorizer, which forwards nothing but well-formed key paths, so GET / never reaches it.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Geo restriction is a licensing decision per catalogue, not a security control Keygate can choose for operators.',
    });
  }
}

import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as mediapackagev2 from 'aws-cdk-lib/aws-mediapackagev2';
import { Construct } from 'constructs';
import type { LiveChannelConfig } from '../config/live-channels';
import { KeygateLiveChannel, LIVE_ENDPOINT_NAME, LIVE_MANIFEST_NAME } from './keygate-live-channel';
import { LiveKeyProvider } from './live-key-provider';

export interface KeygateLiveProps {
  channels: readonly LiveChannelConfig[];
  /** The MediaPackage v2 channel group's name (unique in the account and region). */
  channelGroupName: string;
  keyBucket: s3.IBucket;
  distribution: cloudfront.Distribution;
  /** The distribution's address, like https://d111.cloudfront.net, which key URIs name. */
  keyUriBase: string;
  logRetentionDays: number;
}

/** The viewer path of a live channel's playlists and segments on the distribution. */
export const livePathPattern = (channel: string): string => `/live/${channel}/*`;

/**
 * `/live/<channel>/<file>` → `/out/v1/<group>/<channel>/<endpoint>/<file>`, MediaPackage's own path. A
 * CloudFront Function (never a gate: live media is public and encrypted, like every segment Keygate serves).
 */
export function liveRewriteFunctionCode(channelGroupName: string): string {
  return `function handler(event) {
  var request = event.request;
  var match = /^\\/live\\/([A-Za-z0-9_-]+)\\/(.+)$/.exec(request.uri);
  if (match) request.uri = '/out/v1/${channelGroupName}/' + match[1] + '/${LIVE_ENDPOINT_NAME}/' + match[2];
  return request;
}`;
}

/**
 * Live channels on MediaLive and MediaPackage v2, off unless `liveChannels` lists some: the deployed
 * key provider, one MediaPackage channel group, a KeygateLiveChannel per channel, and a CloudFront
 * behavior `/live/<channel>/*` per channel whose origin is MediaPackage (never a bucket). Keys still go
 * through `/keys/*` and the unchanged authorizer: a channel id is a video id.
 */
export class KeygateLive extends Construct {
  readonly keyProvider: LiveKeyProvider;
  readonly channelGroup: mediapackagev2.CfnChannelGroup;
  readonly channels: KeygateLiveChannel[];

  constructor(scope: Construct, id: string, props: KeygateLiveProps) {
    super(scope, id);
    this.keyProvider = new LiveKeyProvider(this, 'KeyProvider', {
      keyBucket: props.keyBucket,
      channels: props.channels.map((c) => c.id),
      keyUriBase: props.keyUriBase,
      logRetentionDays: props.logRetentionDays,
    });
    this.channelGroup = new mediapackagev2.CfnChannelGroup(this, 'ChannelGroup', {
      channelGroupName: props.channelGroupName,
      description: 'Keygate live channels',
    });

    // CloudFront signs its origin requests to MediaPackage (OAC); each endpoint's policy admits only this distribution.
    const oac = new cloudfront.CfnOriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlConfig: {
        name: `${props.channelGroupName}-mediapackage`,
        originAccessControlOriginType: 'mediapackagev2',
        signingBehavior: 'always',
        signingProtocol: 'sigv4',
      },
    });
    const origin = new origins.HttpOrigin(this.channelGroup.attrEgressDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originAccessControlId: oac.attrId,
    });
    // TTLs follow the origin: MediaPackage sends a short max-age on playlists and a long one on segments.
    const cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'Keygate live: MediaPackage Cache-Control decides; nothing of the viewer in the cache key',
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(2),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const rewrite = new cloudfront.Function(this, 'LivePathRewrite', {
      comment: 'Keygate live: /live/<channel>/... to the MediaPackage endpoint path',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(liveRewriteFunctionCode(props.channelGroupName)),
    });

    this.channels = props.channels.map((channel) => {
      const live = new KeygateLiveChannel(this, `Channel-${channel.id}`, {
        channel,
        channelGroupName: props.channelGroupName,
        keyProviderUrl: this.keyProvider.url.url,
        spekeRoleArn: this.keyProvider.spekeRole.roleArn,
      });
      live.packagerChannel.addResourceDependency(this.channelGroup);
      new mediapackagev2.CfnOriginEndpointPolicy(this, `EndpointPolicy-${channel.id}`, {
        channelGroupName: props.channelGroupName,
        channelName: channel.id,
        originEndpointName: LIVE_ENDPOINT_NAME,
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CloudFrontOnly',
              Effect: 'Allow',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Action: 'mediapackagev2:GetObject',
              Resource: live.endpoint.attrArn,
              Condition: {
                StringEquals: {
                  'aws:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${props.distribution.distributionId}`,
                },
              },
            },
          ],
        },
      }).addResourceDependency(live.endpoint);
      props.distribution.addBehavior(livePathPattern(channel.id), origin, {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        compress: true,
        functionAssociations: [{ function: rewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      });
      return live;
    });
  }

  /** The master playlist viewers open for a channel. */
  static playbackPath(channel: string): string {
    return `/live/${channel}/${LIVE_MANIFEST_NAME}.m3u8`;
  }
}

import { Aws, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as mediapackagev2 from 'aws-cdk-lib/aws-mediapackagev2';
import { Construct } from 'constructs';
import type { LiveChannelConfig } from '../config/live-channels';
import { AUDIO_KBPS, rungOf } from '../media/ladder';

export interface KeygateLiveChannelProps {
  channel: LiveChannelConfig;
  /** The MediaPackage v2 channel group all of Keygate's live channels belong to. */
  channelGroupName: string;
  /** The key provider's function URL and the role MediaPackage assumes to call it. */
  keyProviderUrl: string;
  spekeRoleArn: string;
}

/** The origin endpoint's name: part of every MediaPackage URL (`/out/v1/<group>/<channel>/ts/…`). */
export const LIVE_ENDPOINT_NAME = 'ts';
export const LIVE_MANIFEST_NAME = 'index';

/**
 * One live channel on AWS's live engine: a MediaLive RTMP push input (only from the configured CIDRs)
 * and channel encoding Keygate's ladder, sent as CMAF ingest to a MediaPackage v2 channel, whose
 * origin endpoint packages HLS with TS segments encrypted AES_128, each key period's key asked of
 * Keygate's SPEKE key provider. The channel's start and stop are the operator's (MediaLive bills
 * while it runs).
 */
export class KeygateLiveChannel extends Construct {
  readonly input: medialive.CfnInput;
  readonly channel: medialive.CfnChannel;
  readonly packagerChannel: mediapackagev2.CfnChannel;
  readonly endpoint: mediapackagev2.CfnOriginEndpoint;
  readonly mediaLiveRole: iam.Role;

  constructor(scope: Construct, id: string, props: KeygateLiveChannelProps) {
    super(scope, id);
    const { channel, channelGroupName } = props;

    this.packagerChannel = new mediapackagev2.CfnChannel(this, 'PackagerChannel', {
      channelGroupName,
      channelName: channel.id,
      inputType: 'CMAF',
      description: `Keygate live channel ${channel.id}`,
    });
    this.endpoint = new mediapackagev2.CfnOriginEndpoint(this, 'Endpoint', {
      channelGroupName,
      channelName: channel.id,
      originEndpointName: LIVE_ENDPOINT_NAME,
      containerType: 'TS',
      description: `Keygate live channel ${channel.id}: HLS, TS segments, AES-128 with keys from Keygate`,
      segment: {
        segmentDurationSeconds: channel.segmentSeconds,
        segmentName: 'segment',
        encryption: {
          encryptionMethod: { tsEncryptionMethod: 'AES_128' },
          keyRotationIntervalSeconds: channel.keyRotationSeconds,
          spekeKeyProvider: {
            drmSystems: ['CLEAR_KEY_AES_128'],
            // One key per period for every track: the contract Keygate's provider answers.
            encryptionContractConfiguration: { presetSpeke20Audio: 'SHARED', presetSpeke20Video: 'SHARED' },
            resourceId: channel.id,
            roleArn: props.spekeRoleArn,
            url: props.keyProviderUrl,
          },
        },
      },
      hlsManifests: [{ manifestName: LIVE_MANIFEST_NAME, manifestWindowSeconds: 60 }],
    });
    this.endpoint.addResourceDependency(this.packagerChannel);

    const packagerChannelArn = `arn:${Aws.PARTITION}:mediapackagev2:${Aws.REGION}:${Aws.ACCOUNT_ID}:channelGroup/${channelGroupName}/channel/${channel.id}`;
    this.mediaLiveRole = new iam.Role(this, 'MediaLiveRole', {
      description: `MediaLive channel ${channel.id}: pushes its output to its MediaPackage v2 channel, nothing else`,
      assumedBy: new iam.ServicePrincipal('medialive.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.mediaLiveRole.addToPolicy(new iam.PolicyStatement({ actions: ['mediapackagev2:PutObject'], resources: [packagerChannelArn] }));

    const securityGroup = new medialive.CfnInputSecurityGroup(this, 'InputSecurityGroup', {
      whitelistRules: channel.inputCidrs.map((cidr) => ({ cidr })),
    });
    this.input = new medialive.CfnInput(this, 'Input', {
      name: `keygate-${channel.id}`,
      type: 'RTMP_PUSH',
      inputSecurityGroups: [securityGroup.ref],
      destinations:
        channel.pipelines === 2
          ? [{ streamName: `${channel.id}/primary` }, { streamName: `${channel.id}/backup` }]
          : [{ streamName: `${channel.id}/live` }],
    });

    const rungs = channel.ladder.map(rungOf);
    this.channel = new medialive.CfnChannel(this, 'Channel', {
      name: `keygate-${channel.id}`,
      channelClass: channel.pipelines === 2 ? 'STANDARD' : 'SINGLE_PIPELINE',
      roleArn: this.mediaLiveRole.roleArn,
      inputSpecification: { codec: 'AVC', resolution: 'HD', maximumBitrate: 'MAX_10_MBPS' },
      inputAttachments: [{ inputId: this.input.ref, inputAttachmentName: 'rtmp' }],
      destinations: [{ id: 'mediapackage', mediaPackageSettings: [{ channelGroup: channelGroupName, channelName: channel.id }] }],
      encoderSettings: {
        timecodeConfig: { source: 'SYSTEMCLOCK' },
        audioDescriptions: [
          {
            name: 'audio',
            codecSettings: {
              aacSettings: { bitrate: AUDIO_KBPS * 1000, codingMode: 'CODING_MODE_2_0', sampleRate: 48000, profile: 'LC' },
            },
          },
        ],
        videoDescriptions: rungs.map((rung) => ({
          name: `video_${rung.name}`,
          width: rung.width,
          height: rung.height,
          codecSettings: {
            h264Settings: {
              bitrate: rung.videoKbps * 1000,
              rateControlMode: 'CBR',
              profile: 'HIGH',
              // Closed GOPs of whole seconds: every segment boundary is a keyframe in every rendition.
              gopSize: 2,
              gopSizeUnits: 'SECONDS',
              gopClosedCadence: 1,
              framerateControl: 'SPECIFIED',
              framerateNumerator: 30,
              framerateDenominator: 1,
              scanType: 'PROGRESSIVE',
            },
          },
        })),
        outputGroups: [
          {
            name: 'mediapackage',
            outputGroupSettings: {
              mediaPackageGroupSettings: {
                destination: { destinationRefId: 'mediapackage' },
                mediapackageV2GroupSettings: { segmentLength: channel.segmentSeconds },
              },
            },
            // CMAF ingest: one track per output.
            outputs: [
              ...rungs.map((rung) => ({
                outputName: rung.name,
                videoDescriptionName: `video_${rung.name}`,
                outputSettings: { mediaPackageOutputSettings: {} },
              })),
              { outputName: 'audio', audioDescriptionNames: ['audio'], outputSettings: { mediaPackageOutputSettings: {} } },
            ],
          },
        ],
      },
    });
    this.channel.addResourceDependency(this.packagerChannel);
  }

  /** Where encoders push (OBS: server = the URL without its last segment, stream key = that segment). */
  get ingestUrl(): string {
    return Fn.select(0, this.input.attrDestinations);
  }
}

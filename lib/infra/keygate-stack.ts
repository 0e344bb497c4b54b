import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogs } from './access-logs';
import { Construct } from 'constructs';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import type { KeygateConfig } from '../config/keygate-config';
import { Keygate } from './keygate';
import { KeygateAlarms } from './keygate-alarms';
import { KeygateDashboard } from './keygate-dashboard';
import { warnAboutConfig } from './config-warnings';
import { alarmPlanFor } from '../config/alarm-plan';
import { edgeLogRegionsFor } from '../config/edge-log-regions';
import { KeygateLive } from './keygate-live';

export interface KeygateStackProps extends StackProps {
  /** The validated cdk.json context; its region is the stack's. */
  config: KeygateConfig;
}

/** The stack `cdk deploy` creates: Keygate and the outputs an admin needs to publish and test. */
export class KeygateStack extends Stack {
  readonly keygate: Keygate;
  readonly accessLogs: AccessLogs;
  /** One set per alarm region (`alarmPlanFor`). */
  readonly alarms: KeygateAlarms[];
  /** Live channels on MediaLive + MediaPackage, when `liveChannels` lists any. */
  readonly live?: KeygateLive;

  constructor(scope: Construct, id: string, props: KeygateStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: 'Keygate: AES-128 HLS on CloudFront with per-viewer key authorization at the edge',
      ...stackProps,
      env: { region: config.region, ...(props.env?.account ? { account: props.env.account } : {}) },
      // CloudFront's access-log delivery can only be created in us-east-1: elsewhere a companion stack there reads the distribution ARN.
      crossRegionReferences: config.region !== 'us-east-1',
    });
    this.keygate = new Keygate(this, 'Keygate', {
      tableName: config.tableName,
      leaseTableName: config.leaseTableName,
      replicaRegions: config.replicaRegions,
      logRetentionDays: config.logRetentionDays,
      edgeLogRetentionDays: config.edgeLogRetentionDays,
      authorizer: authorizerConfigFor(config),
      allowedOrigins: config.allowedOrigins,
      pathTokenPrefix: config.pathToken.prefix,
      priceClass: config.priceClass,
      customDomain: config.customDomain,
      webAclArn: config.webAclArn,
    });
    const logsHome =
      config.region === 'us-east-1'
        ? this
        : new Stack(scope, `${id}-AccessLogs`, {
            description: 'Keygate: CloudFront access logs (standard logging v2, no query strings or cookies) and the us-east-1 alarms',
            env: { region: 'us-east-1', ...(props.env?.account ? { account: props.env.account } : {}) },
            crossRegionReferences: true,
          });
    this.accessLogs = new AccessLogs(logsHome, 'AccessLogs', {
      distributionArn: this.keygate.distribution.distribution.distributionArn,
      retentionDays: config.logRetentionDays,
    });

    // Alarms read only their own region's metrics: the stack region's here, us-east-1's (CloudFront) in logsHome.
    const alarmPlan = alarmPlanFor(config);
    this.alarms = alarmPlan.map(
      (plan) =>
        new KeygateAlarms(plan.region === config.region ? this : logsHome, 'Alarms', {
          plan,
          distributionId: this.keygate.distribution.distribution.distributionId,
          tableNames: [config.tableName, config.leaseTableName],
          edgeFunctionName: this.keygate.authorizer.function.lambda.functionName,
          namePrefix: id,
        }),
    );
    const dashboard = new KeygateDashboard(this, 'Dashboard', {
      dashboardName: id,
      distributionId: this.keygate.distribution.distribution.distributionId,
      tableName: config.tableName,
      tableRegions: [config.region, ...config.replicaRegions],
      // Opt-in regions only where a table replica proves the account enabled them: a widget reading a
      // region the account has not enabled shows an error instead of a graph (as log retention would fail).
      edgeRegions: edgeLogRegionsFor([config.region, ...config.replicaRegions]),
      alarmPlan,
    });
    warnAboutConfig(this, config, alarmPlan);
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards/dashboard/${dashboard.dashboard.dashboardName}`,
      description: 'CloudFront, every edge region and every table replica on one page',
    });
    const domain = config.customDomain?.domainName ?? this.keygate.distribution.distribution.distributionDomainName;
    new CfnOutput(this, 'DistributionDomain', { value: domain, description: 'Where viewers fetch playlists, segments and keys' });
    new CfnOutput(this, 'MediaBucketName', { value: this.keygate.storage.mediaBucket.bucketName, description: 'keygate publish --bucket' });
    new CfnOutput(this, 'KeyBucketName', { value: this.keygate.keys.keyBucket.bucketName, description: 'keygate publish --key-bucket' });
    new CfnOutput(this, 'EntitlementTableName', { value: config.tableName, description: 'keygate grant --table' });
    new CfnOutput(this, 'LeaseTableName', { value: config.leaseTableName, description: 'keygate sessions --lease-table' });
    new CfnOutput(this, 'EntitlementTableRegions', {
      value: [config.region, ...config.replicaRegions].join(','),
      description: 'Primary first',
    });
    if (config.liveChannels.length > 0) this.live = this.addLive(config, domain);
    new CfnOutput(this, 'ExamplePlayerUrl', {
      value: `https://${domain}/videos/<videoId>/master.m3u8`,
      description: 'Master playlist URL of a published video',
    });
  }

  private addLive(config: KeygateConfig, domain: string): KeygateLive {
    const live = new KeygateLive(this, 'Live', {
      channels: config.liveChannels,
      channelGroupName: `${config.stackName}-live`,
      keyBucket: this.keygate.keys.keyBucket,
      distribution: this.keygate.distribution.distribution,
      keyUriBase: `https://${domain}`,
      logRetentionDays: config.logRetentionDays,
    });
    new CfnOutput(this, 'LiveKeyProviderUrl', {
      value: live.keyProvider.url.url,
      description: 'keygate live --key-provider: the SPEKE endpoint MediaPackage calls (AWS_IAM)',
    });
    live.channels.forEach((channel, i) => {
      const id = config.liveChannels[i].id;
      new CfnOutput(this, `LiveChannel${i + 1}IngestUrl`, {
        value: channel.ingestUrl,
        description: `Channel ${id}: push RTMP here (OBS server = all but the last path segment, stream key = the last)`,
      });
      new CfnOutput(this, `LiveChannel${i + 1}PlaybackUrl`, {
        value: `https://${domain}${KeygateLive.playbackPath(id)}`,
        description: `Channel ${id}: the master playlist viewers open (keys gated by /keys/${id}/*)`,
      });
      new CfnOutput(this, `LiveChannel${i + 1}MediaLiveChannelId`, {
        value: channel.channel.ref,
        description: `Channel ${id}: start and stop it with aws medialive start-channel|stop-channel --channel-id (billed while running)`,
      });
    });
    return live;
  }
}

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
    new CfnOutput(this, 'ExamplePlayerUrl', {
      value: `https://${domain}/videos/<videoId>/master.m3u8`,
      description: 'Master playlist URL of a published video',
    });
  }
}

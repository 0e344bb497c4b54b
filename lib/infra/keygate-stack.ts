import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogs } from './access-logs';
import { Construct } from 'constructs';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import type { KeygateConfig } from '../config/keygate-config';
import { Keygate } from './keygate';

export interface KeygateStackProps extends StackProps {
  /** The validated cdk.json context; its region is the stack's. */
  config: KeygateConfig;
}

/** The stack `cdk deploy` creates: Keygate and the outputs an admin needs to publish and test. */
export class KeygateStack extends Stack {
  readonly keygate: Keygate;
  readonly accessLogs: AccessLogs;

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
      replicaRegions: config.replicaRegions,
      logRetentionDays: config.logRetentionDays,
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
            description: 'Keygate: CloudFront access logs (standard logging v2, no query strings or cookies)',
            env: { region: 'us-east-1', ...(props.env?.account ? { account: props.env.account } : {}) },
            crossRegionReferences: true,
          });
    this.accessLogs = new AccessLogs(logsHome, 'AccessLogs', {
      distributionArn: this.keygate.distribution.distribution.distributionArn,
      retentionDays: config.logRetentionDays,
    });
    const domain = config.customDomain?.domainName ?? this.keygate.distribution.distribution.distributionDomainName;
    new CfnOutput(this, 'DistributionDomain', { value: domain, description: 'Where viewers fetch playlists, segments and keys' });
    new CfnOutput(this, 'MediaBucketName', { value: this.keygate.storage.mediaBucket.bucketName, description: 'keygate publish --bucket' });
    new CfnOutput(this, 'KeyBucketName', { value: this.keygate.keys.keyBucket.bucketName, description: 'keygate publish --key-bucket' });
    new CfnOutput(this, 'EntitlementTableName', { value: config.tableName, description: 'keygate grant --table' });
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

import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import type { AuthorizerConfig } from '../../lambda/key-authorizer/contract';
import { edgeLogRegionsFor } from '../config/edge-log-regions';
import type { KeygateConfig } from '../config/keygate-config';
import { KeygateTable } from './keygate-table';
import { KeyAuthorizerFunction } from './key-authorizer-function';
import { KeyDistribution } from './key-distribution';
import { KeyStorage } from './key-storage';
import { MediaStorage } from './media-storage';

const PRICE_CLASSES: Record<KeygateConfig['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

/** What each of Keygate's constructs needs, and nothing else of the config. */
export interface KeygateProps {
  tableName: string;
  leaseTableName: string;
  /** Table replicas besides the stack region (both tables). */
  replicaRegions: string[];
  logRetentionDays: number;
  /** Retention of the edge function's log groups in every edge region. */
  edgeLogRetentionDays: number;
  /** The edge function's baked config (`authorizerConfigFor`). */
  authorizer: AuthorizerConfig;
  allowedOrigins: string[];
  /** First path segment of path-token URLs (`/<prefix>/<token>/videos/…`). */
  pathTokenPrefix: string;
  priceClass: KeygateConfig['priceClass'];
  customDomain?: { domainName: string; certificateArn: string };
  webAclArn?: string;
}

/**
 * Everything Keygate deploys, as one construct operators can put in their own stack (whose
 * region must be concrete): media storage, key storage, the entitlement and lease tables, the key authorizer, CloudFront.
 */
export class Keygate extends Construct {
  readonly storage: MediaStorage;
  readonly keys: KeyStorage;
  readonly entitlements: KeygateTable;
  /** Stream limits' leases: the only table the edge function writes. */
  readonly leases: KeygateTable;
  readonly authorizer: KeyAuthorizerFunction;
  readonly distribution: KeyDistribution;

  constructor(scope: Construct, id: string, props: KeygateProps) {
    super(scope, id);
    this.storage = new MediaStorage(this, 'Storage', { logRetentionDays: props.logRetentionDays });
    this.keys = new KeyStorage(this, 'Keys', { logBucket: this.storage.logBucket });
    // 'Entitlements' is the id the table was first deployed under: another id would replace (and lose) it.
    this.entitlements = new KeygateTable(this, 'Entitlements', { tableName: props.tableName, replicaRegions: props.replicaRegions });
    this.leases = new KeygateTable(this, 'Leases', { tableName: props.leaseTableName, replicaRegions: props.replicaRegions });
    this.authorizer = new KeyAuthorizerFunction(this, 'KeyAuthorizer', {
      config: props.authorizer,
      logRetentionDays: props.edgeLogRetentionDays,
      logRegions: edgeLogRegionsFor(props.authorizer.replicaRegions),
    });
    this.distribution = new KeyDistribution(this, 'Cdn', {
      mediaBucket: this.storage.mediaBucket,
      keyBucket: this.keys.keyBucket,
      authorizer: this.authorizer.function,
      allowedOrigins: props.allowedOrigins,
      pathTokenPrefix: props.pathTokenPrefix,
      priceClass: PRICE_CLASSES[props.priceClass],
      customDomain: props.customDomain,
      webAclArn: props.webAclArn,
    });
  }
}

import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { authorizerConfigFor } from '../config/authorizer-config-for';
import type { KeygateConfig } from '../config/keygate-config';
import { EntitlementTable } from './entitlement-table';
import { KeyAuthorizerFunction } from './key-authorizer-function';
import { KeyDistribution } from './key-distribution';
import { KeyStorage } from './key-storage';
import { MediaStorage } from './media-storage';

const PRICE_CLASSES: Record<KeygateConfig['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

/**
 * Everything Keygate deploys, as one construct operators can put in their own stack (whose
 * region must be concrete): media storage, key storage, the entitlement table, the key authorizer, CloudFront.
 */
export class Keygate extends Construct {
  readonly storage: MediaStorage;
  readonly keys: KeyStorage;
  readonly entitlements: EntitlementTable;
  readonly authorizer: KeyAuthorizerFunction;
  readonly distribution: KeyDistribution;

  constructor(scope: Construct, id: string, config: KeygateConfig) {
    super(scope, id);
    this.storage = new MediaStorage(this, 'Storage', { logRetentionDays: config.logRetentionDays });
    this.keys = new KeyStorage(this, 'Keys', { logBucket: this.storage.logBucket });
    this.entitlements = new EntitlementTable(this, 'Entitlements', { tableName: config.tableName, replicaRegions: config.replicaRegions });
    this.authorizer = new KeyAuthorizerFunction(this, 'KeyAuthorizer', { config: authorizerConfigFor(config) });
    this.distribution = new KeyDistribution(this, 'Cdn', {
      mediaBucket: this.storage.mediaBucket,
      keyBucket: this.keys.keyBucket,
      authorizer: this.authorizer.function,
      allowedOrigins: config.allowedOrigins,
      priceClass: PRICE_CLASSES[config.priceClass],
      customDomain: config.customDomain,
      webAclArn: config.webAclArn,
    });
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lambda/key-authorizer/contract';

export interface KeygateTableProps {
  tableName: string;
  /** Replica regions besides the stack's own. */
  replicaRegions: string[];
}

/**
 * One of Keygate's two global tables, with the key schema the authorizer reads and the CLI writes
 * (imported from one module so they cannot drift): the entitlement table (grants, revocations; the
 * edge function only reads it) and the lease table (stream limits; the one it writes). Every replica
 * has PITR and deletion protection, and the table is retained when the stack goes.
 */
export class KeygateTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: KeygateTableProps) {
    super(scope, id);
    const protection = { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true };
    this.table = new dynamodb.TableV2(this, 'Table', {
      // An explicit name: it is baked into the edge bundle, which must hold literals, not tokens.
      tableName: props.tableName,
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      ...protection,
      replicas: props.replicaRegions.map((region) => ({ region, ...protection })),
    });
  }
}

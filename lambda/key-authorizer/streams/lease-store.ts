import {
  ConditionalCheckFailedException,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AuthorizerConfig } from '../config/authorizer-config';
import { MalformedItemError, readLeaseItem } from '../entitlements/entitlement-records';
import {
  EXPIRES_AT,
  LEASE_CHECKED_AT,
  LEASE_ENDED_AT,
  LEASE_MOVED_AT,
  LEASE_NETWORK,
  LEASE_REGION,
  LEASE_RENEWED_AT,
  LEASE_SK_PREFIX,
  LEASE_STARTED_AT,
  LEASE_VIDEO_ID,
  PARTITION_KEY,
  SORT_KEY,
  TTL_ATTRIBUTE,
  leaseSortKey,
  type LeaseItem,
} from '../entitlements/entitlement-schema';
import { inNearestReplica, type Replicas } from '../entitlements/entitlement-store';
import { LEASE_TTL_GRACE_SECONDS } from './stream-leases';

/**
 * The lease reads and writes of stream limits; every write is conditional, so a lost race is an answer,
 * not damage. Each call ends by the request's deadline `budget` when given (request-deadline.ts).
 */
export interface LeaseStore {
  /**
   * Extends a live, not ended lease held from `network` (any network when undefined) to `expiresAt`;
   * resolves with it, or undefined when there is none to extend.
   */
  renew(
    uid: string,
    sessionId: string,
    nowSeconds: number,
    expiresAt: number,
    network?: string,
    budget?: AbortSignal,
  ): Promise<LeaseItem | undefined>;
  /**
   * Moves a live lease from network `from` to `to` (a viewer who changed networks), unless it moved
   * since `movedBefore`; resolves false when it may not.
   */
  move(
    uid: string,
    sessionId: string,
    move: { nowSeconds: number; expiresAt: number; from?: string; to: string; movedBefore: number },
    budget?: AbortSignal,
  ): Promise<boolean>;
  /** Every lease of a viewer, strongly consistent within the replica asked. */
  leasesOf(uid: string, budget?: AbortSignal): Promise<LeaseItem[]>;
  /** Writes a new lease unless one for this session is live or ended; resolves false when it is. */
  start(lease: Omit<LeaseItem, 'region'>, nowSeconds: number, budget?: AbortSignal): Promise<boolean>;
  /** Records that the session passed its check against the others. */
  markChecked(uid: string, sessionId: string, nowSeconds: number, budget?: AbortSignal): Promise<void>;
  /** Gives a stream back: the lease lapses now, unless it was ended (an ended session must stay ended). */
  release(uid: string, sessionId: string, nowSeconds: number, budget?: AbortSignal): Promise<void>;
}

const isLeaseAnswer = (error: unknown) => error instanceof ConditionalCheckFailedException || error instanceof MalformedItemError;
const n = (value: number): AttributeValue => ({ N: String(value) });
const keyOf = (uid: string, sessionId: string) => ({ [PARTITION_KEY]: { S: uid }, [SORT_KEY]: { S: leaseSortKey(sessionId) } });
const NAMES = {
  '#exp': EXPIRES_AT,
  '#ended': LEASE_ENDED_AT,
};

/**
 * Leases in the lease table's nearest replica, failing over to the next inside the store deadline like the
 * entitlement lookup. A conditional check that fails is DynamoDB's answer and never fails over.
 */
export class DynamoDbLeaseStore implements LeaseStore {
  constructor(
    private readonly config: AuthorizerConfig,
    private readonly replicas: Replicas,
  ) {}

  private inNearestReplica<T>(
    budget: AbortSignal | undefined,
    operation: (client: DynamoDBClient, region: string, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    // Answers, not replica failures: a failed condition, or an item every replica holds malformed.
    return inNearestReplica(this.replicas, this.config.store, operation, { isAnswer: isLeaseAnswer, budget });
  }

  /** Runs a conditional write: true when it was made, false when its condition did not hold. */
  private async conditional(
    budget: AbortSignal | undefined,
    operation: (client: DynamoDBClient, region: string, signal: AbortSignal) => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await this.inNearestReplica(budget, operation);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async renew(
    uid: string,
    sessionId: string,
    nowSeconds: number,
    expiresAt: number,
    network?: string,
    budget?: AbortSignal,
  ): Promise<LeaseItem | undefined> {
    const sameNetwork =
      network === undefined ? {} : { condition: ' AND #net = :net', names: { '#net': LEASE_NETWORK }, values: { ':net': { S: network } } };
    try {
      return await this.inNearestReplica(budget, async (client, _region, abortSignal) => {
        const result = await client.send(
          new UpdateItemCommand({
            TableName: this.config.leaseTableName,
            Key: keyOf(uid, sessionId),
            UpdateExpression: 'SET #exp = :exp, #renewed = :now, #ttl = :ttl',
            // Only a live lease is extended, from its own network: a lapsed one must be admitted again, an ended one never.
            ConditionExpression: `#exp > :now AND attribute_not_exists(#ended)${sameNetwork.condition ?? ''}`,
            ExpressionAttributeNames: { ...NAMES, '#renewed': LEASE_RENEWED_AT, '#ttl': TTL_ATTRIBUTE, ...sameNetwork.names },
            ExpressionAttributeValues: {
              ':exp': n(expiresAt),
              ':now': n(nowSeconds),
              ':ttl': n(expiresAt + LEASE_TTL_GRACE_SECONDS),
              ...sameNetwork.values,
            },
            ReturnValues: 'ALL_NEW',
          }),
          { abortSignal },
        );
        return readLeaseItem(result.Attributes ?? {});
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  leasesOf(uid: string, budget?: AbortSignal): Promise<LeaseItem[]> {
    return this.inNearestReplica(budget, async (client, _region, abortSignal) => {
      const leases: LeaseItem[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: this.config.leaseTableName,
            KeyConditionExpression: '#uid = :uid AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#uid': PARTITION_KEY, '#sk': SORT_KEY },
            ExpressionAttributeValues: { ':uid': { S: uid }, ':prefix': { S: LEASE_SK_PREFIX } },
            // Strong within this replica: two sessions starting here at once see each other's leases.
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
          { abortSignal },
        );
        for (const item of page.Items ?? []) leases.push(readLeaseItem(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return leases;
    });
  }

  start(lease: Omit<LeaseItem, 'region'>, nowSeconds: number, budget?: AbortSignal): Promise<boolean> {
    return this.conditional(budget, (client, region, abortSignal) =>
      client.send(
        new PutItemCommand({
          TableName: this.config.leaseTableName,
          Item: {
            ...keyOf(lease.uid, lease.sessionId),
            [LEASE_VIDEO_ID]: { S: lease.videoId },
            [LEASE_REGION]: { S: region },
            [LEASE_STARTED_AT]: n(lease.startedAt),
            [LEASE_RENEWED_AT]: n(lease.renewedAt),
            [EXPIRES_AT]: n(lease.expiresAt),
            [TTL_ATTRIBUTE]: n(lease.expiresAt + LEASE_TTL_GRACE_SECONDS),
            ...(lease.network === undefined ? {} : { [LEASE_NETWORK]: { S: lease.network } }),
          },
          ConditionExpression: 'attribute_not_exists(#exp) OR (#exp <= :now AND attribute_not_exists(#ended))',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':now': n(nowSeconds) },
        }),
        { abortSignal },
      ),
    );
  }

  move(
    uid: string,
    sessionId: string,
    move: { nowSeconds: number; expiresAt: number; from?: string; to: string; movedBefore: number },
    budget?: AbortSignal,
  ): Promise<boolean> {
    return this.conditional(budget, (client, _region, abortSignal) =>
      client.send(
        new UpdateItemCommand({
          TableName: this.config.leaseTableName,
          Key: keyOf(uid, sessionId),
          UpdateExpression: 'SET #net = :to, #moved = :now, #exp = :exp, #renewed = :now',
          ConditionExpression:
            '#exp > :now AND attribute_not_exists(#ended) AND (attribute_not_exists(#moved) OR #moved <= :movedBefore) AND ' +
            (move.from === undefined ? 'attribute_not_exists(#net)' : '#net = :from'),
          ExpressionAttributeNames: { ...NAMES, '#net': LEASE_NETWORK, '#moved': LEASE_MOVED_AT, '#renewed': LEASE_RENEWED_AT },
          ExpressionAttributeValues: {
            ':to': { S: move.to },
            ':now': n(move.nowSeconds),
            ':exp': n(move.expiresAt),
            ':movedBefore': n(move.movedBefore),
            ...(move.from === undefined ? {} : { ':from': { S: move.from } }),
          },
        }),
        { abortSignal },
      ),
    );
  }

  async markChecked(uid: string, sessionId: string, nowSeconds: number, budget?: AbortSignal): Promise<void> {
    await this.conditional(budget, (client, _region, abortSignal) =>
      client.send(
        new UpdateItemCommand({
          TableName: this.config.leaseTableName,
          Key: keyOf(uid, sessionId),
          UpdateExpression: 'SET #checked = :now',
          ConditionExpression: 'attribute_exists(#exp) AND attribute_not_exists(#ended)',
          ExpressionAttributeNames: { ...NAMES, '#checked': LEASE_CHECKED_AT },
          ExpressionAttributeValues: { ':now': n(nowSeconds) },
        }),
        { abortSignal },
      ),
    );
  }

  async release(uid: string, sessionId: string, nowSeconds: number, budget?: AbortSignal): Promise<void> {
    await this.conditional(budget, (client, _region, abortSignal) =>
      client.send(
        new UpdateItemCommand({
          TableName: this.config.leaseTableName,
          Key: keyOf(uid, sessionId),
          // Lapsed rather than deleted: an update replicates like any renewal (the later write wins).
          UpdateExpression: 'SET #exp = :now, #renewed = :now',
          ConditionExpression: 'attribute_exists(#exp) AND attribute_not_exists(#ended)',
          ExpressionAttributeNames: { ...NAMES, '#renewed': LEASE_RENEWED_AT },
          ExpressionAttributeValues: { ':now': n(nowSeconds) },
        }),
        { abortSignal },
      ),
    );
  }
}

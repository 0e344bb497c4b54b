import { GetItemCommand, QueryCommand, ResourceNotFoundException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  EXPIRES_AT,
  holdsStream,
  isSessionId,
  LEASE_ENDED_AT,
  LEASE_SK_PREFIX,
  LEASE_TTL_GRACE_SECONDS,
  type LeaseItem,
  leaseSortKey,
  MalformedItemError,
  PARTITION_KEY,
  readLeaseItem,
  SORT_KEY,
  TTL_ATTRIBUTE,
} from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { dynamoDbClientFor, type EntitlementTarget } from './entitlement-client';
import { checkUid } from './entitlement-items';

/** A playback session as `keygate sessions` shows it. */
export interface PlaybackSession extends LeaseItem {
  state: 'playing' | 'lapsed' | 'ended';
}

/** A lease item the authorizer's strict reader refuses (it answers 503 for the viewer until fixed): what is wrong, and its key. */
export interface MalformedLease {
  malformed: string;
  sk?: string;
}

export class UnknownSessionError extends KeygateError {}

function checkSessionId(sessionId: string): string {
  if (!isSessionId(sessionId)) {
    throw new KeygateError(`session id ${JSON.stringify(sessionId)} must be 8–64 of A-Z a-z 0-9 _ - (keygate sessions <uid> lists them)`);
  }
  return sessionId;
}

/** A missing lease table is most likely a deployment from before leases had their own table. */
function explainMissingTable(error: unknown, target: EntitlementTarget): never {
  if (error instanceof ResourceNotFoundException) {
    throw new KeygateError(
      `lease table ${target.table} not found in ${target.region}: pass --lease-table (the stack output LeaseTableName), or deploy the stack that creates it`,
    );
  }
  throw error;
}

function stateOf(lease: LeaseItem, nowSeconds: number): PlaybackSession['state'] {
  if (lease.endedAt !== undefined) return 'ended';
  return holdsStream(lease, nowSeconds) ? 'playing' : 'lapsed';
}

/**
 * A viewer's playback sessions (stream limits), read by the authorizer's own strict lease reader.
 * `target` names the lease table (the config's `leaseTableName`), not the entitlement table.
 */
export async function listSessions(
  target: EntitlementTarget,
  uid: string,
  nowSeconds: number,
): Promise<(PlaybackSession | MalformedLease)[]> {
  const client = dynamoDbClientFor(target);
  try {
    const sessions: PlaybackSession[] = [];
    const malformed: MalformedLease[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: target.table,
          KeyConditionExpression: '#uid = :uid AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#uid': PARTITION_KEY, '#sk': SORT_KEY },
          ExpressionAttributeValues: { ':uid': { S: checkUid(uid) }, ':prefix': { S: LEASE_SK_PREFIX } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        try {
          const lease = readLeaseItem(raw);
          sessions.push({ ...lease, state: stateOf(lease, nowSeconds) });
        } catch (error) {
          if (!(error instanceof MalformedItemError)) throw error;
          malformed.push({ malformed: error.message, sk: raw[SORT_KEY]?.S });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return [...sessions.sort((a, b) => a.startedAt - b.startedAt), ...malformed];
  } catch (error) {
    return explainMissingTable(error, target);
  } finally {
    client.destroy();
  }
}

/**
 * Ends one playback session: its lease is marked ended, so its next key request is refused
 * `session-ended` and it can never start again, while the viewer's other sessions play on.
 * Written in the replica the session renews in: a renewal there cannot overwrite the mark
 * (global tables keep the last writer of an item), it fails its condition instead. `target` names the lease table.
 */
export async function endSession(
  target: EntitlementTarget,
  uid: string,
  sessionId: string,
  nowSeconds: number,
): Promise<{ lease: LeaseItem; writtenIn: string; alreadyEnded: boolean }> {
  const key = { [PARTITION_KEY]: checkUid(uid), [SORT_KEY]: leaseSortKey(checkSessionId(sessionId)) };
  const reader = dynamoDbClientFor(target);
  let lease: LeaseItem;
  try {
    const found = await reader.send(
      new GetItemCommand({ TableName: target.table, Key: { uid: { S: key.uid }, sk: { S: key.sk } }, ConsistentRead: true }),
    );
    if (!found.Item) throw new UnknownSessionError(`${uid} has no session ${sessionId} (keygate sessions ${uid} lists them)`);
    try {
      lease = readLeaseItem(found.Item);
    } catch (error) {
      if (!(error instanceof MalformedItemError)) throw error;
      throw new KeygateError(
        `the lease of session ${sessionId} of ${uid} is malformed (${error.message}): the authorizer answers 503 for ${uid} until it is fixed or deleted`,
      );
    }
  } catch (error) {
    return explainMissingTable(error, target);
  } finally {
    reader.destroy();
  }
  if (lease.endedAt !== undefined) return { lease, writtenIn: lease.region, alreadyEnded: true };
  // A local endpoint stands for every region; in AWS, write where the session's lease lives.
  const writtenIn = target.endpoint ? target.region : lease.region;
  const doc = DynamoDBDocumentClient.from(dynamoDbClientFor({ ...target, region: writtenIn }));
  try {
    const ended = Math.floor(nowSeconds);
    await doc.send(
      new UpdateCommand({
        TableName: target.table,
        Key: key,
        // Kept at least a day after the end, so the ended session cannot start again meanwhile.
        UpdateExpression: 'SET #ended = :ended, #ttl = :ttl',
        ConditionExpression: 'attribute_exists(#exp)',
        ExpressionAttributeNames: { '#ended': LEASE_ENDED_AT, '#ttl': TTL_ATTRIBUTE, '#exp': EXPIRES_AT },
        ExpressionAttributeValues: { ':ended': ended, ':ttl': Math.max(lease.expiresAt, ended) + LEASE_TTL_GRACE_SECONDS },
      }),
    );
  } finally {
    doc.destroy();
  }
  return { lease: { ...lease, endedAt: Math.floor(nowSeconds) }, writtenIn, alreadyEnded: false };
}

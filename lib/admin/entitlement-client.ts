import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type GrantItem,
  LEASE_SK_PREFIX,
  LOCAL_ENDPOINT_CREDENTIALS,
  MalformedItemError,
  PARTITION_KEY,
  readEntitlementItem,
  type RevocationItem,
  SORT_KEY,
} from '../../lambda/key-authorizer/contract';
import { checkUid, checkVideoOrAll } from './entitlement-items';

export interface EntitlementTarget {
  table: string;
  region: string;
  /** A local DynamoDB (dynalite, DynamoDB Local); gets fixed local credentials. */
  endpoint?: string;
}

const isLoopback = (endpoint: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint);

/** A low-level client for the target: fixed local credentials for a loopback endpoint. */
export function dynamoDbClientFor(target: EntitlementTarget): DynamoDBClient {
  return new DynamoDBClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.endpoint && isLoopback(target.endpoint) ? { credentials: LOCAL_ENDPOINT_CREDENTIALS } : {}),
  });
}

/** An item as `list` read it: parsed by the authorizer's own strict reader, or why that reader refuses it. */
export type ListedItem = { item: GrantItem | RevocationItem } | { malformed: string; sk?: string };

/** Writes and reads the entitlement items the authorizer checks. */
export class EntitlementClient {
  private readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly target: EntitlementTarget) {
    this.client = dynamoDbClientFor(target);
    this.doc = DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async put(item: GrantItem | RevocationItem): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.target.table, Item: item }));
  }

  async revoke(uid: string, videoId: string): Promise<boolean> {
    const result = await this.doc.send(
      new DeleteCommand({
        TableName: this.target.table,
        Key: { [PARTITION_KEY]: checkUid(uid), [SORT_KEY]: checkVideoOrAll(videoId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  }

  /** Every item of a viewer, read as the authorizer reads them: an item it would refuse is listed as malformed. */
  async list(uid: string): Promise<ListedItem[]> {
    const listed: ListedItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.target.table,
          KeyConditionExpression: '#uid = :uid',
          ExpressionAttributeNames: { '#uid': PARTITION_KEY },
          ExpressionAttributeValues: { ':uid': { S: checkUid(uid) } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        // Playback sessions are listed by `keygate sessions`.
        if (raw[SORT_KEY]?.S?.startsWith(LEASE_SK_PREFIX)) continue;
        try {
          listed.push({ item: readEntitlementItem(raw) });
        } catch (error) {
          if (!(error instanceof MalformedItemError)) throw error;
          listed.push({ malformed: error.message, sk: raw[SORT_KEY]?.S });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return listed;
  }

  /**
   * Writes up to 25 items in one BatchWrite, retrying what DynamoDB leaves unprocessed with
   * exponential backoff. Resolves with the number written; rejects if items remain after the retries.
   */
  async putBatch(items: GrantItem[], options: { maxAttempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<number> {
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= (options.maxAttempts ?? 8))
        throw new Error(`${pending.length} items were still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(2000, 50 * 2 ** attempt));
      const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.target.table]: pending } }));
      pending = (result.UnprocessedItems?.[this.target.table] ?? []) as typeof pending;
    }
    return items.length;
  }

  /** Writes any number of items in BatchWrites of 25 (DynamoDB's maximum), reporting the running total after each. */
  async putAll(items: GrantItem[], onProgress: (written: number) => void = () => {}): Promise<number> {
    let written = 0;
    for (let i = 0; i < items.length; i += 25) {
      written += await this.putBatch(items.slice(i, i + 25));
      onProgress(written);
    }
    return written;
  }

  destroy(): void {
    this.doc.destroy();
  }
}

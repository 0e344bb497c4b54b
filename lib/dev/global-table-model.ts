import { PutItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEASE_RENEWED_AT, PARTITION_KEY, SORT_KEY } from '../../lambda/key-authorizer/contract';

type Item = Record<string, AttributeValue>;

async function scanAll(client: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let startKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) items.set(`${item[PARTITION_KEY]?.S}\n${item[SORT_KEY]?.S}`, item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const writtenAt = (item: Item) => Number(item[LEASE_RENEWED_AT]?.N ?? 0);

/**
 * Two local tables standing for two replicas of a global table, replicated when the caller says
 * (a test or the bench's two-region race): each gets the items it lacks, and of two versions of one
 * item the later written wins (global tables resolve conflicts last writer wins, per item; here
 * "later" is the lease's renewal time). Deletes are not modelled: nothing that runs here deletes.
 */
export class TwoReplicaGlobalTable {
  constructor(
    private readonly a: DynamoDBClient,
    private readonly b: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** One replication round; resolves with the number of items copied. */
  replicate(): Promise<number> {
    return replicateOnce(this.a, this.b, this.table);
  }
}

async function replicateOnce(a: DynamoDBClient, b: DynamoDBClient, table: string): Promise<number> {
  const [inA, inB] = await Promise.all([scanAll(a, table), scanAll(b, table)]);
  let copied = 0;
  const copy = async (item: Item, to: DynamoDBClient) => {
    copied += 1;
    await to.send(new PutItemCommand({ TableName: table, Item: item }));
  };
  for (const [key, item] of inA) {
    const other = inB.get(key);
    if (!other || writtenAt(item) > writtenAt(other)) await copy(item, b);
    else if (writtenAt(other) > writtenAt(item)) await copy(other, a);
  }
  for (const [key, item] of inB) if (!inA.has(key)) await copy(item, a);
  return copied;
}

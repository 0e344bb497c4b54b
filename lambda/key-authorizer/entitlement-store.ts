import { BatchGetItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AuthorizerConfig } from './authorizer-config';
import {
  ALL_ACCESS_SK,
  PARTITION_KEY,
  REVOKED_SK,
  SORT_KEY,
  parseGrantItem,
  parseRevocationItem,
  type EntitlementRecords,
} from './entitlement-schema';

export interface StoreLookup {
  records: EntitlementRecords;
  /** The replica region that answered. */
  replica: string;
}

/** Reads one viewer's records for one video; rejects with StoreUnavailableError, never guesses. */
export interface EntitlementStore {
  lookup(uid: string, videoId: string): Promise<StoreLookup>;
}

export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: { region: string; error: string }[],
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** The replica regions to try, nearest first, from where this function runs. */
export function replicaOrder(config: AuthorizerConfig, executingRegion: string | undefined): string[] {
  const preferred = executingRegion ? config.replicaPreference[executingRegion] : undefined;
  const order = preferred && preferred.length > 0 ? preferred : config.replicaRegions;
  if (executingRegion && config.replicaRegions.includes(executingRegion) && order[0] !== executingRegion) {
    return [executingRegion, ...order.filter((r) => r !== executingRegion)];
  }
  return order;
}

function unmarshallFlat(item: Record<string, AttributeValue>): Record<string, unknown> {
  // Only the scalar types the schema uses; anything else makes the item malformed downstream.
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.S !== undefined) out[name] = value.S;
    else if (value.N !== undefined) out[name] = Number(value.N);
    else if (value.BOOL !== undefined) out[name] = value.BOOL;
  }
  return out;
}

export function recordsFromItems(items: Record<string, AttributeValue>[]): EntitlementRecords {
  const records: EntitlementRecords = {};
  for (const raw of items) {
    const item = unmarshallFlat(raw);
    if (item[SORT_KEY] === REVOKED_SK) records.revocation = parseRevocationItem(item);
    else if (item[SORT_KEY] === ALL_ACCESS_SK) records.allAccess = parseGrantItem(item);
    else records.video = parseGrantItem(item);
  }
  return records;
}

function clientFor(config: AuthorizerConfig, region: string): DynamoDBClient {
  const endpoint = config.replicaEndpoints?.[region] ?? config.endpoint;
  return new DynamoDBClient({
    region,
    // Our own deadline and failover replace the SDK's 4 attempts.
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: config.store.attemptTimeoutMs,
      requestTimeout: config.store.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(endpoint
      ? // A local endpoint never needs real credentials; fixed ones keep the SDK off the metadata service.
        { endpoint, credentials: { accessKeyId: 'keygate-local', secretAccessKey: 'keygate-local' } }
      : {}),
  });
}

/**
 * One eventually consistent BatchGetItem of (uid, video), (uid, "*") and (uid, "#revoked") to the
 * nearest replica; on any error or timeout, once more to the next nearest; all inside one deadline.
 */
export class DynamoDbEntitlementStore implements EntitlementStore {
  private readonly clients = new Map<string, DynamoDBClient>();
  private readonly order: string[];

  constructor(
    private readonly config: AuthorizerConfig,
    executingRegion: string | undefined,
  ) {
    this.order = replicaOrder(config, executingRegion).slice(0, 2);
  }

  private client(region: string): DynamoDBClient {
    let client = this.clients.get(region);
    if (!client) {
      client = clientFor(this.config, region);
      this.clients.set(region, client);
    }
    return client;
  }

  async lookup(uid: string, videoId: string): Promise<StoreLookup> {
    const { tableName, store } = this.config;
    const deadline = AbortSignal.timeout(store.deadlineMs);
    const attempts: { region: string; error: string }[] = [];
    const keys = [videoId, ALL_ACCESS_SK, REVOKED_SK].map((sk) => ({ [PARTITION_KEY]: { S: uid }, [SORT_KEY]: { S: sk } }));
    for (const region of this.order) {
      if (deadline.aborted) break;
      try {
        const response = await this.client(region).send(
          new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: false } } }),
          { abortSignal: AbortSignal.any([deadline, AbortSignal.timeout(store.attemptTimeoutMs)]) },
        );
        if (Object.keys(response.UnprocessedKeys ?? {}).length > 0) throw new Error('keys left unprocessed');
        return { records: recordsFromItems(response.Responses?.[tableName] ?? []), replica: region };
      } catch (error) {
        attempts.push({ region, error: error instanceof Error ? `${error.name}: ${error.message.slice(0, 120)}` : 'unknown' });
      }
    }
    throw new StoreUnavailableError(deadline.aborted ? 'deadline passed' : 'every replica failed', attempts);
  }
}

import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { REPLICAS_TRIED_PER_REQUEST, type AuthorizerConfig } from '../config/authorizer-config';
import { recordsFromItems } from './entitlement-records';
import { LOCAL_ENDPOINT_CREDENTIALS } from '../config/local-endpoint';
import { ALL_ACCESS_SK, PARTITION_KEY, REVOKED_SK, SORT_KEY, type EntitlementRecords } from './entitlement-schema';

export interface StoreLookup {
  records: EntitlementRecords;
  /** The replica region that answered. */
  replica: string;
}

/**
 * Reads one viewer's records for one video, never guessing: rejects with StoreUnavailableError when
 * no replica answers, and with MalformedItemError when the answer holds an item the schema refuses.
 */
export interface EntitlementStore {
  /** `budget`: the request's deadline (request-deadline.ts); the lookup ends by it, whatever its own deadline. */
  lookup(uid: string, videoId: string, budget?: AbortSignal): Promise<StoreLookup>;
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

/** The request's budget ran out before the store answered: retrying may help, the request may not wait longer. */
export class RequestDeadlineError extends StoreUnavailableError {
  constructor(attempts: { region: string; error: string }[]) {
    super('the request deadline passed', attempts);
    this.name = 'RequestDeadlineError';
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
        { endpoint, credentials: LOCAL_ENDPOINT_CREDENTIALS }
      : {}),
  });
}

/**
 * One eventually consistent BatchGetItem of (uid, video), (uid, "*") and (uid, "#revoked") to the
 * nearest replica; on any error or timeout, once more to the next nearest; all inside one deadline.
 */
export class DynamoDbEntitlementStore implements EntitlementStore, Replicas {
  private readonly clients = new Map<string, DynamoDBClient>();
  /** The replicas tried, nearest first; the lease store writes through the same clients. */
  readonly order: string[];

  constructor(
    private readonly config: AuthorizerConfig,
    executingRegion: string | undefined,
  ) {
    this.order = replicaOrder(config, executingRegion).slice(0, REPLICAS_TRIED_PER_REQUEST);
  }

  client(region: string): DynamoDBClient {
    let client = this.clients.get(region);
    if (!client) {
      client = clientFor(this.config, region);
      this.clients.set(region, client);
    }
    return client;
  }

  async lookup(uid: string, videoId: string, budget?: AbortSignal): Promise<StoreLookup> {
    const { tableName } = this.config;
    const keys = [videoId, ALL_ACCESS_SK, REVOKED_SK].map((sk) => ({ [PARTITION_KEY]: { S: uid }, [SORT_KEY]: { S: sk } }));
    const { items, region } = await inNearestReplica(
      this,
      this.config.store,
      async (client, region, abortSignal) => {
        const response = await client.send(
          new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: false } } }),
          { abortSignal },
        );
        if (Object.keys(response.UnprocessedKeys ?? {}).length > 0) throw new Error('keys left unprocessed');
        return { items: response.Responses?.[tableName] ?? [], region };
      },
      { budget },
    );
    // Read after the failover: a malformed item is replicated everywhere, so it fails the lookup, not the replica.
    return { records: recordsFromItems(items), replica: region };
  }
}

/** The replicas to ask, nearest first, and a client for each. */
export interface Replicas {
  readonly order: readonly string[];
  client(region: string): DynamoDBClient;
}

/** What `inNearestReplica` may be told besides the operation. */
export interface ReplicaCallOptions {
  /** An error this accepts is the store's answer (a failed condition, a malformed item): thrown as it is, no failover. */
  isAnswer?: (error: unknown) => boolean;
  /** The request's deadline: the call gets what is left of it, if less than its own deadline. */
  budget?: AbortSignal;
}

/**
 * Runs `operation` on the nearest replica, and on any error on the next one, inside one deadline
 * (`store.deadlineMs`, or what is left of the request's budget if that ends first) with a timeout per
 * attempt. An error `isAnswer` accepts is thrown as it is; otherwise StoreUnavailableError names every
 * failed attempt, RequestDeadlineError when the request's budget ended the call (no attempt is
 * started once it has).
 */
export async function inNearestReplica<T>(
  replicas: Replicas,
  store: Pick<AuthorizerConfig['store'], 'deadlineMs' | 'attemptTimeoutMs'>,
  operation: (client: DynamoDBClient, region: string, signal: AbortSignal) => Promise<T>,
  { isAnswer = () => false, budget }: ReplicaCallOptions = {},
): Promise<T> {
  const ownDeadline = AbortSignal.timeout(store.deadlineMs);
  const deadline = budget === undefined ? ownDeadline : AbortSignal.any([ownDeadline, budget]);
  const attempts: { region: string; error: string }[] = [];
  for (const region of replicas.order) {
    if (deadline.aborted) break;
    try {
      return await operation(replicas.client(region), region, AbortSignal.any([deadline, AbortSignal.timeout(store.attemptTimeoutMs)]));
    } catch (error) {
      if (isAnswer(error)) throw error;
      attempts.push({ region, error: error instanceof Error ? `${error.name}: ${error.message.slice(0, 120)}` : 'unknown' });
    }
  }
  if (budget?.aborted) throw new RequestDeadlineError(attempts);
  throw new StoreUnavailableError(deadline.aborted ? 'deadline passed' : 'every replica failed', attempts);
}

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { LOCAL_ENDPOINT_CREDENTIALS, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';

// dynalite ships no types.
const dynalite = require('dynalite') as (options: { createTableMs?: number; path?: string }) => import('node:http').Server;

export interface LocalDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/** A real DynamoDB-API server (dynalite) on 127.0.0.1; in memory, or persisted under `path`. */
export async function startLocalDynamoDb(
  options: {
    path?: string;
    port?: number;
    host?: string;
    /** Called with the operation name (`GetItem`, `BatchGetItem`, …) of every request, to count them. */
    onRequest?: (operation: string) => void;
  } = {},
): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  const onRequest = options.onRequest;
  if (onRequest) {
    // Before dynalite's own listener: every request the SDK sends, whatever dynalite answers.
    server.prependListener('request', (req: import('node:http').IncomingMessage) =>
      onRequest(String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown'),
    );
  }
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new KeygateError(`the DynamoDB port ${options.port} on ${host} is in use`, 'dynamodbPort') : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export function localDynamoDbClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_ENDPOINT_CREDENTIALS, maxAttempts: 2 });
}

/** Creates an on-demand table keyed by two string attributes (partition and sort key). */
export async function createStringKeyTable(
  client: DynamoDBClient,
  tableName: string,
  partitionKey: string,
  sortKey: string,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
}

/** Creates a table with the schema the authorizer reads (entitlements or leases), unless it exists. */
export async function ensureEntitlementTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await createStringKeyTable(client, tableName, PARTITION_KEY, SORT_KEY);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch {
    // dynalite does not implement TTL; the authorizer never relies on it anyway.
  }
}

/** Creates both of Keygate's tables, the entitlement table and the lease table, unless they exist. */
export async function ensureKeygateTables(client: DynamoDBClient, tables: { tableName: string; leaseTableName: string }): Promise<void> {
  await ensureEntitlementTable(client, tables.tableName);
  await ensureEntitlementTable(client, tables.leaseTableName);
}

import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { startStoreFaultProxy, type StoreFaultProxy } from '../../../lib/dev/store-fault-proxy';
import { LEASE_TABLE, TABLE, makeAuthorizerConfig, makeJwtConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import {
  edgeReason,
  edgeStatus,
  isResponse,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  type EdgeHandler,
} from '../../fixtures/built-authorizer';

// The built bundle against dynalite behind the fault proxy, every store answer made slow: each
// call answers well inside its own deadline, but a session start makes four of them (lookup, renew,
// leases, start) and together they outlast the request's budget. Keygate must answer its own 503
// then, not wait for Lambda@Edge's 5 s.
const SLOW_MS = 300;
const REQUEST_DEADLINE_MS = 1000;
const KEY = '/keys/movie/0.key';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let proxy: StoreFaultProxy;
let handler: EdgeHandler;
let stdout: jest.SpyInstance;
const operations: string[] = [];
const logLines: Record<string, unknown>[] = [];

async function grant(uid: string, maxStreams?: number) {
  const item = { uid: { S: uid }, sk: { S: '*' }, grantedAt: { N: String(Math.floor(Date.now() / 1000)) } };
  await client.send(
    new PutItemCommand({ TableName: TABLE, Item: maxStreams === undefined ? item : { ...item, maxStreams: { N: String(maxStreams) } } }),
  );
  // Only the authorizer's own calls are counted.
  operations.length = 0;
}

const keyRequest = (uid: string, sessionId: string) =>
  handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken(uid, { psid: sessionId })}` } }));

beforeAll(async () => {
  dynamo = await startLocalDynamoDb({ onRequest: (operation) => operations.push(operation) });
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureKeygateTables(client, { tableName: TABLE, leaseTableName: LEASE_TABLE });
  proxy = await startStoreFaultProxy(dynamo.endpoint, { slowMs: SLOW_MS });
  const config = makeAuthorizerConfig({
    endpoint: proxy.endpoint,
    replicaRegions: ['us-east-1', 'eu-west-1'],
    replicaPreference: { 'us-east-1': ['us-east-1', 'eu-west-1'] },
    // Each call has far more than a slow answer needs; the request as a whole does not.
    store: { deadlineMs: 900, attemptTimeoutMs: 850, retryAfterSeconds: 2 },
    jwt: makeJwtConfig(undefined, { timeoutMs: 100 }),
    requestDeadlineMs: REQUEST_DEADLINE_MS,
    cache: { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 },
  });
  handler = loadBuiltAuthorizer(config, 'us-east-1').handler;
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text) as Record<string, unknown>);
    return true;
  });
});

beforeEach(() => {
  proxy.setFault('pass');
  operations.length = 0;
  logLines.length = 0;
});

afterAll(async () => {
  stdout?.mockRestore();
  await proxy?.close();
  client?.destroy();
  await dynamo?.close();
  removeBuiltAuthorizers();
});

describe('one deadline per request, shared by every store call (built bundle, slow store)', () => {
  it('starts a limited session when the store answers promptly: four calls, one key', async () => {
    await grant('prompt', 2);
    const result = await keyRequest('prompt', 'prompt-session-1');
    expect(edgeStatus(result)).toBe(200);
    expect(operations).toEqual(['BatchGetItem', 'UpdateItem', 'Query', 'PutItem']);
  });

  it('serves a viewer without a limit from one slow lookup: a single call fits in the budget', async () => {
    await grant('unlimited');
    proxy.setFault('slow');
    expect(edgeStatus(await keyRequest('unlimited', 'unlimited-session'))).toBe(200);
    expect(operations).toEqual(['BatchGetItem']);
  });

  it('ends a session start whose slow calls add up past the budget with Keygate’s own 503 request-deadline', async () => {
    await grant('slowpoke', 2);
    proxy.setFault('slow');
    const result = await keyRequest('slowpoke', 'slowpoke-session');
    expect([edgeStatus(result), edgeReason(result)]).toEqual([503, 'request-deadline']);
    expect(isResponse(result) && result.headers['retry-after']?.[0]?.value).toBe('2');
    // The decision line is written, and counts in the StoreUnavailable rate the alarm watches.
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatchObject({ decision: 'deny', reason: 'request-deadline', status: 503, StoreUnavailable: 100 });
    // Bounded: no more than the four calls of a start reached the store, in their order, never a second replica's retry.
    expect(operations.length).toBeLessThanOrEqual(4);
    expect(operations).toEqual(['BatchGetItem', 'UpdateItem', 'Query', 'PutItem'].slice(0, operations.length));
  });
});

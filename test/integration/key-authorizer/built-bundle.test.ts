import { DeleteItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AUTHORIZER_ZIPPED_BUDGET_BYTES } from '../../../lib/build/authorizer-bundle';
import { zippedSize } from '../../../lib/build/zipped-size';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { TABLE, makeAuthorizerConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import {
  advanceWallClock,
  isResponse,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  edgeReason as reason,
  edgeStatus as status,
} from '../../fixtures/built-authorizer';

const KEY = '/keys/movie/0.key';
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let closedPort: number;
let hangingServer: Server;
const hangingSockets: Socket[] = [];
let stdout: jest.SpyInstance;
const logLines: Record<string, unknown>[] = [];

const now = () => Math.floor(Date.now() / 1000);

async function put(uid: string, sk: string, extra: Record<string, AttributeValue> = {}, to = client) {
  await to.send(
    new PutItemCommand({ TableName: TABLE, Item: { uid: { S: uid }, sk: { S: sk }, grantedAt: { N: String(now()) }, ...extra } }),
  );
}
async function remove(uid: string, sk: string) {
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { uid: { S: uid }, sk: { S: sk } } }));
}

function localConfig(overrides = {}) {
  return makeAuthorizerConfig({ endpoint: dynamo.endpoint, replicaRegions: ['us-east-1'], replicaPreference: {}, ...overrides });
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  // A port with nothing listening: connections are refused at once.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  // A replica that accepts connections and never answers.
  hangingServer = createServer((socket) => {
    hangingSockets.push(socket);
    socket.resume(); // read the request (so a client close is seen) but never answer
  });
  await new Promise<void>((resolve) => hangingServer.listen(0, '127.0.0.1', resolve));
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text));
    return true;
  });
});

afterEach(() => jest.useRealTimers());

afterAll(async () => {
  stdout.mockRestore();
  for (const socket of hangingSockets) socket.destroy();
  await new Promise<void>((resolve) => hangingServer.close(() => resolve()));
  client.destroy();
  await dynamo.close();
  removeBuiltAuthorizers();
});

describe('the built authorizer bundle against a real DynamoDB API (dynalite)', () => {
  it('returns the request, credentials stripped, for a granted viewer', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    await put('alice', 'movie');
    const token = makeToken('alice');
    const result = await handler(
      viewerRequestEvent({
        uri: KEY,
        headers: { Authorization: `Bearer ${token}`, Cookie: `keygate_token=${token}; a=b` },
        querystring: `token=${token}`,
      }),
    );
    expect(isResponse(result)).toBe(false);
    if (isResponse(result)) return;
    expect(result.uri).toBe(KEY);
    expect(result.headers.authorization).toBeUndefined();
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=b' }]);
    expect(result.querystring).toBe('');
  });

  it('denies a revoked grant once the allow TTL has passed', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    await put('rev', 'movie');
    const event = viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('rev')}` } });
    expect(status(await handler(event))).toBe(200);
    await remove('rev', 'movie');
    expect(status(await handler(event))).toBe(200);
    advanceWallClock(31);
    const result = await handler(event);
    expect([status(result), reason(result)]).toEqual([403, 'not-entitled']);
  });

  it('allows a rental until it expires, then answers entitlement-expired', async () => {
    const { handler } = loadBuiltAuthorizer(
      localConfig({ cache: { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 } }),
      'us-east-1',
    );
    await put('renter', 'movie', { expiresAt: { N: String(now() + 60) }, ttl: { N: String(now() + 60 + 86400) } });
    const event = viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('renter')}` } });
    expect(status(await handler(event))).toBe(200);
    advanceWallClock(61);
    const result = await handler(event);
    expect([status(result), reason(result)]).toEqual([403, 'entitlement-expired']);
  });

  it('allows an all-access subscriber every video', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    await put('subscriber', '*');
    const token = makeToken('subscriber');
    for (const uri of ['/keys/movie/0.key', '/keys/other/5.key']) {
      expect(status(await handler(viewerRequestEvent({ uri, headers: { Authorization: `Bearer ${token}` } })))).toBe(200);
    }
  });

  it('refuses a token issued before a session revocation and accepts one issued after', async () => {
    const { handler } = loadBuiltAuthorizer(
      localConfig({ cache: { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 } }),
      'us-east-1',
    );
    await put('sharer', 'movie');
    await put('sharer', '#revoked', { revokedBefore: { N: String(now()) } });
    const old = await handler(
      viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('sharer', { iat: now() - 60 })}` } }),
    );
    expect([status(old), reason(old)]).toEqual([401, 'session-revoked']);
    const fresh = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('sharer')}` } }));
    expect(status(fresh)).toBe(200);
  });

  it('fails over to the next nearest replica when the nearest one is dead', async () => {
    const { handler } = loadBuiltAuthorizer(
      localConfig({
        endpoint: undefined,
        replicaRegions: ['us-east-1', 'eu-west-1'],
        replicaPreference: { 'us-east-1': ['us-east-1', 'eu-west-1'] },
        replicaEndpoints: { 'us-east-1': `http://127.0.0.1:${closedPort}`, 'eu-west-1': dynamo.endpoint },
      }),
      'us-east-1',
    );
    await put('traveller', 'movie');
    logLines.length = 0;
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('traveller')}` } }));
    expect(status(result)).toBe(200);
    expect(logLines.at(-1)).toMatchObject({ decision: 'allow', replica: 'eu-west-1', cache: 'miss' });
  });

  it('answers 503 with Retry-After, and no key, when every replica is down', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig({ endpoint: `http://127.0.0.1:${closedPort}` }), 'us-east-1');
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('alice')}` } }));
    expect(isResponse(result)).toBe(true);
    if (!isResponse(result)) return;
    expect([result.status, reason(result), result.headers['retry-after']?.[0]?.value, result.headers['cache-control']?.[0]?.value]).toEqual(
      ['503', 'store-unavailable', '2', 'no-store'],
    );
  });

  it('answers 503 when the store never answers, abandoning the request at its deadline', async () => {
    const config = localConfig({
      endpoint: `http://127.0.0.1:${(hangingServer.address() as AddressInfo).port}`,
      store: { deadlineMs: 600, attemptTimeoutMs: 250, retryAfterSeconds: 2 },
    });
    const { handler } = loadBuiltAuthorizer(config, 'us-east-1');
    const accepted = hangingSockets.length;
    // The replica never responds: without a working deadline this would hang until jest gives up.
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('alice')}` } }));
    expect([status(result), reason(result)]).toEqual([503, 'store-unavailable']);
    const opened = hangingSockets.slice(accepted);
    expect(opened.length).toBeGreaterThan(0);
    // The client closed the connections itself: the request was abandoned, not left running.
    await Promise.all(
      opened.map((socket) =>
        socket.destroyed || socket.readableEnded ? Promise.resolve() : new Promise((resolve) => socket.once('close', resolve)),
      ),
    );
  });

  it('answers 503, never a key, when an item in the store is malformed', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    await put('odd', 'movie', { expiresAt: { S: 'tomorrow' } });
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('odd')}` } }));
    expect([status(result), reason(result)]).toEqual([503, 'store-unavailable']);
  });

  it('logs one JSON line per decision, without the viewer id or the token', async () => {
    const { handler } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    const token = makeToken('logged-viewer');
    logLines.length = 0;
    await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${token}` } }));
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatchObject({
      decision: 'deny',
      reason: 'not-entitled',
      status: 403,
      videoId: 'movie',
      cache: 'miss',
      replica: 'us-east-1',
      // Embedded Metric Format: CloudWatch Logs makes metrics of it in the edge region.
      Decisions: 1,
      CacheHits: 0,
      StoreLatency: expect.any(Number),
      StoreUnavailable: 0,
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [expect.objectContaining({ Namespace: 'Keygate' }), expect.objectContaining({ Dimensions: [[]] })],
      },
    });
    expect(JSON.stringify(logLines)).not.toMatch(/logged-viewer|Bearer/);
  });

  it('stays under the zipped size budget (viewer-request limit is 1 MB)', () => {
    const { dir } = loadBuiltAuthorizer(localConfig(), 'us-east-1');
    expect(zippedSize(dir)).toBeLessThan(AUTHORIZER_ZIPPED_BUDGET_BYTES);
  });
});

describe('the built authorizer bundle reading a malformed item from a two-replica table', () => {
  const requests = { near: [] as string[], far: [] as string[] };
  const replicas: { near?: LocalDynamoDb; far?: LocalDynamoDb } = {};
  const clients: DynamoDBClient[] = [];

  /** Writes the item raw, as an operator's backend might, to both replicas: a global table holds it everywhere. */
  async function putOnBothReplicas(uid: string, sk: string, extra: Record<string, AttributeValue>) {
    for (const replicaClient of clients) await put(uid, sk, extra, replicaClient);
  }

  function twoReplicaHandler() {
    return loadBuiltAuthorizer(
      localConfig({
        endpoint: undefined,
        replicaRegions: ['us-east-1', 'eu-west-1'],
        replicaPreference: { 'us-east-1': ['us-east-1', 'eu-west-1'] },
        replicaEndpoints: { 'us-east-1': replicas.near!.endpoint, 'eu-west-1': replicas.far!.endpoint },
      }),
      'us-east-1',
    ).handler;
  }

  const batchGets = (replica: keyof typeof requests) => requests[replica].filter((op) => op === 'BatchGetItem').length;

  beforeAll(async () => {
    for (const replica of ['near', 'far'] as const) {
      replicas[replica] = await startLocalDynamoDb({ onRequest: (operation) => requests[replica].push(operation) });
      const replicaClient = localDynamoDbClient(replicas[replica].endpoint);
      await ensureEntitlementTable(replicaClient, TABLE);
      clients.push(replicaClient);
    }
  });

  beforeEach(() => {
    requests.near.length = 0;
    requests.far.length = 0;
    logLines.length = 0;
  });

  afterAll(async () => {
    for (const replicaClient of clients) replicaClient.destroy();
    await Promise.all([replicas.near?.close(), replicas.far?.close()]);
  });

  it('answers 503 store-unavailable with the malformed-item cause from the nearest replica, without failing over', async () => {
    await putOnBothReplicas('null-rental', 'movie', { expiresAt: { NULL: true } });
    const handler = twoReplicaHandler();
    const result = await handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${makeToken('null-rental')}` } }));
    expect([status(result), reason(result)]).toEqual([503, 'store-unavailable']);
    expect(logLines.at(-1)).toMatchObject({ reason: 'store-unavailable', storeCause: 'malformed-item' });
    expect(logLines.at(-1)?.storeErrors).toHaveLength(1);
    // The far replica holds the same item: asking it would only have spent the deadline.
    expect({ near: batchGets('near'), far: batchGets('far') }).toEqual({ near: 1, far: 0 });
  });

  it('opens no video for an all-access item whose expiresAt is NULL', async () => {
    await putOnBothReplicas('null-subscriber', '*', { expiresAt: { NULL: true } });
    const handler = twoReplicaHandler();
    const token = makeToken('null-subscriber');
    for (const uri of ['/keys/movie/0.key', '/keys/other/5.key']) {
      const result = await handler(viewerRequestEvent({ uri, headers: { Authorization: `Bearer ${token}` } }));
      expect([uri, status(result), reason(result)]).toEqual([uri, 503, 'store-unavailable']);
    }
  });
});

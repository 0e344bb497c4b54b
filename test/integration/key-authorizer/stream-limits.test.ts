import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TwoReplicaGlobalTable } from '../../../lib/dev/global-table-model';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { LEASE_TABLE, TABLE, makeAuthorizerConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import {
  advanceWallClock,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  type EdgeHandler,
  edgeReason as reason,
  edgeStatus as status,
} from '../../fixtures/built-authorizer';

const LEASE = 20;
const SETTLE = 3;
const STREAMS = { sessionIdClaim: 'psid', leaseSeconds: LEASE, settleSeconds: SETTLE, defaultMaxStreams: null };

let east: LocalDynamoDb;
let west: LocalDynamoDb;
let eastClient: DynamoDBClient;
let westClient: DynamoDBClient;
/** DynamoDB operations per replica, counted before dynalite answers. */
const operations: Record<'east' | 'west', string[]> = { east: [], west: [] };
let stdout: jest.SpyInstance;
const logLines: Record<string, unknown>[] = [];

const epoch = () => Math.floor(Date.now() / 1000);

async function grantPlan(uid: string, maxStreams: number, to: DynamoDBClient[] = [eastClient]) {
  for (const client of to) {
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { uid: { S: uid }, sk: { S: '*' }, grantedAt: { N: String(epoch()) }, maxStreams: { N: String(maxStreams) } },
      }),
    );
  }
}

/** What `keygate end-session` writes (in the lease table). */
async function endSession(uid: string, sessionId: string) {
  await eastClient.send(
    new UpdateItemCommand({
      TableName: LEASE_TABLE,
      Key: { uid: { S: uid }, sk: { S: `#lease#${sessionId}` } },
      UpdateExpression: 'SET endedAt = :now',
      ConditionExpression: 'attribute_exists(uid)',
      ExpressionAttributeValues: { ':now': { N: String(epoch()) } },
    }),
  );
}

/** An edge container in `region` reading the replica there. */
function container(region: 'us-east-1' | 'eu-west-1' = 'us-east-1', cache = { allowTtlSeconds: 30, denyTtlSeconds: 5, maxEntries: 100 }) {
  const config = makeAuthorizerConfig({
    replicaRegions: ['us-east-1', 'eu-west-1'],
    replicaPreference: { 'us-east-1': ['us-east-1'], 'eu-west-1': ['eu-west-1'] },
    replicaEndpoints: { 'us-east-1': east.endpoint, 'eu-west-1': west.endpoint },
    streams: STREAMS,
    cache,
  });
  return loadBuiltAuthorizer(config, region).handler;
}

/** One playback: a token with its own session id, asking for the key of each window in turn, from `clientIp`. */
function playback(uid: string, sessionId: string, handler: EdgeHandler, clientIp = '198.51.100.7') {
  const token = makeToken(uid, { psid: sessionId, iat: epoch() - 5, exp: epoch() + 3600 });
  let window = 0;
  return {
    token,
    nextKey: () =>
      handler(viewerRequestEvent({ uri: `/keys/movie/${window++}.key`, headers: { Authorization: `Bearer ${token}` }, clientIp })),
  };
}

beforeAll(async () => {
  east = await startLocalDynamoDb({ onRequest: (operation) => operations.east.push(operation) });
  west = await startLocalDynamoDb({ onRequest: (operation) => operations.west.push(operation) });
  eastClient = localDynamoDbClient(east.endpoint);
  westClient = localDynamoDbClient(west.endpoint, 'eu-west-1');
  await ensureKeygateTables(eastClient, { tableName: TABLE, leaseTableName: LEASE_TABLE });
  await ensureKeygateTables(westClient, { tableName: TABLE, leaseTableName: LEASE_TABLE });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text) as Record<string, unknown>);
    return true;
  });
});

afterEach(() => {
  jest.useRealTimers();
});

afterAll(async () => {
  stdout.mockRestore();
  eastClient.destroy();
  westClient.destroy();
  await east.close();
  await west.close();
  removeBuiltAuthorizers();
});

describe('stream limits in the built bundle against dynalite', () => {
  it('costs a viewer without a limit one BatchGetItem and nothing else', async () => {
    const handler = container();
    await eastClient.send(
      new PutItemCommand({ TableName: TABLE, Item: { uid: { S: 'free' }, sk: { S: '*' }, grantedAt: { N: String(epoch()) } } }),
    );
    operations.east.length = 0;
    const viewer = playback('free', 'free-session-1', handler);
    expect(status(await viewer.nextKey())).toBe(200);
    expect(operations.east).toEqual(['BatchGetItem']);
  });

  it('at limit 2: two sessions renew through many windows, each window costing one UpdateItem', async () => {
    const handler = container('us-east-1', { allowTtlSeconds: 0, denyTtlSeconds: 0, maxEntries: 100 });
    await grantPlan('duo', 2);
    const one = playback('duo', 'duo-session-1', handler);
    const two = playback('duo', 'duo-session-2', handler);
    operations.east.length = 0;
    expect(status(await one.nextKey())).toBe(200);
    expect(status(await two.nextKey())).toBe(200);
    // A start: records, a failed renewal, the leases, the lease written.
    expect(operations.east).toEqual([
      ...['BatchGetItem', 'UpdateItem', 'Query', 'PutItem'],
      ...['BatchGetItem', 'UpdateItem', 'Query', 'PutItem'],
    ]);
    for (let window = 1; window <= 12; window++) {
      advanceWallClock(LEASE / 2);
      operations.east.length = 0;
      expect([status(await one.nextKey()), status(await two.nextKey())]).toEqual([200, 200]);
      // With no decision cache (TTL 0): today's one read, plus one conditional write; at the first
      // window after settleSeconds, and five leases (100 s) after that, the check (a Query and a write).
      const settleCheck = window === 1 || window === 11 ? ['Query', 'UpdateItem'] : [];
      expect(operations.east).toEqual([
        ...['BatchGetItem', 'UpdateItem', ...settleCheck],
        ...['BatchGetItem', 'UpdateItem', ...settleCheck],
      ]);
    }
  });

  it('refuses a third session stream-limit, then admits it once a stopped session’s lease has expired', async () => {
    const handler = container();
    await grantPlan('trio', 2);
    const one = playback('trio', 'trio-session-1', handler);
    const two = playback('trio', 'trio-session-2', handler);
    const three = playback('trio', 'trio-session-3', handler);
    expect(status(await one.nextKey())).toBe(200);
    expect(status(await two.nextKey())).toBe(200);
    const refused = await three.nextKey();
    expect([status(refused), reason(refused)]).toEqual([403, 'stream-limit']);
    // Session two stops (its player closed); session one keeps renewing.
    advanceWallClock(LEASE / 2);
    expect(status(await one.nextKey())).toBe(200);
    expect(reason(await three.nextKey())).toBe('stream-limit');
    advanceWallClock(LEASE / 2);
    expect(status(await one.nextKey())).toBe(200);
    expect(status(await three.nextKey())).toBe(200);
  });

  it('end-session stops exactly that session at its next key request; the other keeps playing', async () => {
    const handler = container();
    await grantPlan('family', 2);
    const one = playback('family', 'family-session-1', handler);
    const two = playback('family', 'family-session-2', handler);
    await one.nextKey();
    await two.nextKey();
    await endSession('family', 'family-session-1');
    // Past the quarter-lease in which a container trusts its own recent renewal.
    advanceWallClock(LEASE / 4);
    const ended = await one.nextKey();
    expect([status(ended), reason(ended)]).toEqual([403, 'session-ended']);
    expect(status(await two.nextKey())).toBe(200);
    // The ended session's slot is free for a new playback, but the ended one never comes back.
    expect(status(await playback('family', 'family-session-3', handler).nextKey())).toBe(200);
    advanceWallClock(LEASE * 2);
    expect(reason(await one.nextKey())).toBe('session-ended');
  });

  it('two regions admitting at once both pass, and after replication the later session gives way at its settle check', async () => {
    const inEast = container('us-east-1');
    const inWest = container('eu-west-1');
    await grantPlan('traveller', 1, [eastClient, westClient]);
    const globalTable = new TwoReplicaGlobalTable(eastClient, westClient, LEASE_TABLE);
    const early = playback('traveller', 'aaaa-session', inEast);
    const late = playback('traveller', 'zzzz-session', inWest);
    // Same second, two replicas that have not exchanged their writes: each sees room.
    expect([status(await early.nextKey()), status(await late.nextKey())]).toEqual([200, 200]);
    await globalTable.replicate();
    // The next key window: past settleSeconds, and past the quarter-lease a container trusts its own renewal.
    advanceWallClock(LEASE / 2);
    const results = [await early.nextKey(), await late.nextKey()];
    // Equal start times: the session id decides, the same way in both regions.
    expect(results.map(status)).toEqual([200, 403]);
    expect(reason(results[1])).toBe('stream-limit');
    await globalTable.replicate();
    advanceWallClock(LEASE / 2);
    expect(status(await early.nextKey())).toBe(200);
    expect(reason(await late.nextKey())).toBe('stream-limit');
  });

  it('binds a session to its network: a copy of the token elsewhere takes it over once, and the original stops', async () => {
    const handler = container();
    await grantPlan('sharer', 3);
    const original = playback('sharer', 'sharer-session', handler, '198.51.100.7');
    expect(status(await original.nextKey())).toBe(200);
    // The same token (same session id) on a device in another network.
    let window = 1;
    const copy = () =>
      handler(
        viewerRequestEvent({
          uri: `/keys/movie/${window++}.key`,
          headers: { Authorization: `Bearer ${original.token}` },
          clientIp: '2001:db8:1234::9',
        }),
      );
    advanceWallClock(LEASE / 2);
    expect(status(await copy())).toBe(200);
    const refused = await original.nextKey();
    expect([status(refused), reason(refused)]).toEqual([403, 'stream-limit']);
    for (let i = 0; i < 4; i++) {
      advanceWallClock(LEASE / 2);
      expect(status(await copy())).toBe(200);
    }
  });

  it('answers 503 malformed-item, never a key, when one of the viewer’s leases is malformed', async () => {
    const handler = container();
    await grantPlan('broken', 2);
    await eastClient.send(
      new PutItemCommand({
        TableName: LEASE_TABLE,
        Item: {
          uid: { S: 'broken' },
          sk: { S: '#lease#written-by-hand' },
          videoId: { S: 'movie' },
          region: { S: 'us-east-1' },
          startedAt: { N: String(epoch()) },
          renewedAt: { N: String(epoch()) },
          // A string where the schema says epoch seconds: read as "no expiry" it would hold a stream forever.
          expiresAt: { S: String(epoch() + 60) },
        },
      }),
    );
    const result = await playback('broken', 'broken-session', handler).nextKey();
    expect([status(result), reason(result)]).toEqual([503, 'store-unavailable']);
    expect(logLines.at(-1)).toMatchObject({ storeCause: 'malformed-item' });
    expect(String((logLines.at(-1)?.storeErrors as string[])[0])).toMatch(
      /lease item: attribute expiresAt must have DynamoDB type N, found S/,
    );
  });
});

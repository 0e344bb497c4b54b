import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STORE_FAULTS, startStoreFaultProxy, type StoreFault, type StoreFaultProxy } from '../../../lib/dev/store-fault-proxy';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { LEASE_TABLE, TABLE, makeAuthorizerConfig, makeToken, nowSeconds } from '../../fixtures/authorizer-fixtures';
import {
  advanceWallClock,
  isResponse,
  loadBuiltAuthorizer,
  removeBuiltAuthorizers,
  viewerRequestEvent,
  type EdgeHandler,
  type EdgeResult,
} from '../../fixtures/built-authorizer';

// The built bundle, against dynalite behind a proxy that fails both replicas in each way a real store
// fails. The throttling faults are the one mock: dynalite never throttles, so the proxy writes
// DynamoDB's own 400 JSON answer.
const KEY = '/keys/movie/0.key';
const ALLOW_TTL = 30;
const GRACE = 60;
const ATTEMPT_MS = 250;

/** What the authorizer logs for an attempt that met each fault. */
// An unanswered attempt ends at attemptTimeoutMs by our abort signal or by the SDK's requestTimeout of the
// same length: which timer fires first is up to the scheduler (a loaded CI machine saw both).
const FAULT_ERRORS: Record<Exclude<StoreFault, 'pass'>, RegExp> = {
  blackhole: /^(us-east-1|eu-west-1):(AbortError|TimeoutError)/,
  reset: /^(us-east-1|eu-west-1):.*ECONNRESET/,
  'provisioned-throughput-exceeded': /^(us-east-1|eu-west-1):ProvisionedThroughputExceededException: The level of configured/,
  throttling: /^(us-east-1|eu-west-1):ThrottlingException: Rate of requests/,
  slow: /^(us-east-1|eu-west-1):(AbortError|TimeoutError)/,
};

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let proxy: StoreFaultProxy;
let stdout: jest.SpyInstance;
const logLines: Record<string, unknown>[] = [];

const header = (result: EdgeResult, name: string) => (isResponse(result) ? result.headers[name]?.[0]?.value : undefined);
const outcomeOf = (result: EdgeResult) => (isResponse(result) ? [Number(result.status), header(result, 'x-keygate-reason')] : [200, 'key']);

async function put(uid: string, sk: string, extra: Record<string, AttributeValue> = {}) {
  await client.send(
    new PutItemCommand({ TableName: TABLE, Item: { uid: { S: uid }, sk: { S: sk }, grantedAt: { N: String(nowSeconds()) }, ...extra } }),
  );
}

/** Two replicas, both behind the proxy: under a fault, every replica fails. */
function handlerWithGrace(staleIfErrorSeconds: number): EdgeHandler {
  const config = makeAuthorizerConfig({
    endpoint: proxy.endpoint,
    replicaRegions: ['us-east-1', 'eu-west-1'],
    replicaPreference: { 'us-east-1': ['us-east-1', 'eu-west-1'] },
    cache: { allowTtlSeconds: ALLOW_TTL, denyTtlSeconds: 5, maxEntries: 1000 },
    store: { deadlineMs: 2 * ATTEMPT_MS + 200, attemptTimeoutMs: ATTEMPT_MS, retryAfterSeconds: 2 },
    staleIfErrorSeconds,
  });
  return loadBuiltAuthorizer(config, 'us-east-1').handler;
}

/** The viewers of one run, each with the token its player holds from the start. */
function cast(run: string) {
  const names = {
    allowed: [1, 2, 3].map((i) => `${run}-allowed-${i}`),
    renter: `${run}-renter`,
    denied: `${run}-denied`,
    revoked: `${run}-revoked`,
    // Granted in the table but never seen by this container, and not granted at all.
    neverSeen: [...[1, 2, 3, 4, 5].map((i) => `${run}-never-seen-${i}`), `${run}-stranger`],
  };
  const tokens = new Map<string, string>();
  const token = (uid: string) => tokens.get(uid) ?? tokens.set(uid, makeToken(uid)).get(uid)!;
  return { ...names, token };
}

async function askAll(handler: EdgeHandler, uids: string[], token: (uid: string) => string): Promise<EdgeResult[]> {
  // Viewers arrive together, as they do during an outage: each its own lookup, none shared.
  return Promise.all(uids.map((uid) => handler(viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${token(uid)}` } }))));
}

/** Allows, denies and revokes while the store is up; the allows then leave the cache (at +31 s, +42 s). */
async function beforeTheOutage(handler: EdgeHandler, viewers: ReturnType<typeof cast>) {
  for (const uid of [...viewers.allowed, viewers.revoked, ...viewers.neverSeen.slice(0, -1)]) await put(uid, 'movie');
  await put(viewers.renter, 'movie', { expiresAt: { N: String(nowSeconds() + 40) } });
  const before = await askAll(handler, [...viewers.allowed, viewers.renter, viewers.revoked, viewers.denied], viewers.token);
  expect(before.map(outcomeOf)).toEqual([...viewers.allowed.map(() => [200, 'key']), [200, 'key'], [200, 'key'], [403, 'not-entitled']]);
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { uid: { S: viewers.revoked }, sk: { S: 'movie' } } }));
  advanceWallClock(ALLOW_TTL + 1);
  // The revoked viewer's next lookup sees the revocation: its deny replaces the cached allow.
  expect(outcomeOf((await askAll(handler, [viewers.revoked], viewers.token))[0])).toEqual([403, 'not-entitled']);
  advanceWallClock(11); // +42 s: every allow expired, the deny too, the rental has ended; the grace runs to +90 s
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureKeygateTables(client, { tableName: TABLE, leaseTableName: LEASE_TABLE });
  proxy = await startStoreFaultProxy(dynamo.endpoint, { slowMs: 4 * ATTEMPT_MS });
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = chunk.toString();
    if (text.startsWith('{"keygate":"decision"')) logLines.push(JSON.parse(text));
    return true;
  });
});

beforeEach(() => {
  proxy.setFault('pass');
  logLines.length = 0;
});

afterEach(() => jest.useRealTimers());

afterAll(async () => {
  stdout?.mockRestore();
  await proxy?.close();
  client?.destroy();
  await dynamo?.close();
  removeBuiltAuthorizers();
});

describe.each(STORE_FAULTS.map((fault) => [fault]))(
  'the built authorizer with every replica failing: %s',
  (fault: Exclude<StoreFault, 'pass'>) => {
    it(`serves stale allows within ${GRACE} s only to viewers allowed moments ago, and no key to anyone else`, async () => {
      const handler = handlerWithGrace(GRACE);
      const viewers = cast(`${fault}-grace`);
      await beforeTheOutage(handler, viewers);
      proxy.setFault(fault);
      const metBefore = proxy.met[fault];

      const recentlyAllowed = await askAll(handler, viewers.allowed, viewers.token);
      const everyoneElse = [viewers.renter, viewers.revoked, viewers.denied, ...viewers.neverSeen];
      const refused = await askAll(handler, everyoneElse, viewers.token);

      expect(recentlyAllowed.map(outcomeOf)).toEqual(viewers.allowed.map(() => [200, 'key']));
      const keysToOthers = refused.filter((result) => !isResponse(result)).length;
      expect(keysToOthers).toBe(0);
      expect(refused.map((r) => [...outcomeOf(r), header(r, 'retry-after'), header(r, 'cache-control')])).toEqual(
        everyoneElse.map(() => [503, 'store-unavailable', '2', 'no-store']),
      );
      // Every attempt failed with the fault's own error: the proxy made the failure intended.
      const errors = logLines.flatMap((line) => (line.storeErrors as string[] | undefined) ?? []);
      expect(errors).toHaveLength(2 * (viewers.allowed.length + everyoneElse.length));
      for (const error of errors) expect(error).toMatch(FAULT_ERRORS[fault]);
      // The fault was met, on both replicas, by every lookup (the stale allows included).
      expect(proxy.met[fault] - metBefore).toBe(2 * (viewers.allowed.length + everyoneElse.length));
      const stale = logLines.filter((line) => line.reason === 'stale-allow');
      expect(stale).toHaveLength(viewers.allowed.length);
      for (const line of stale) {
        expect(line).toMatchObject({ decision: 'allow', status: 200, storeCause: 'unavailable', StaleAllows: 1 });
        expect((line.storeErrors as string[]).map((e) => e.split(':')[0])).toEqual(['us-east-1', 'eu-west-1']);
      }

      advanceWallClock(GRACE - 11); // +91 s: the grace has run out
      const afterGrace = await askAll(handler, viewers.allowed, viewers.token);
      expect(afterGrace.map((r) => [...outcomeOf(r), header(r, 'retry-after')])).toEqual(
        viewers.allowed.map(() => [503, 'store-unavailable', '2']),
      );
    });

    it('with the default grace of 0, answers every viewer 503 with Retry-After, as before', async () => {
      const handler = handlerWithGrace(0);
      const viewers = cast(`${fault}-no-grace`);
      await beforeTheOutage(handler, viewers);
      proxy.setFault(fault);
      const everyone = [...viewers.allowed, viewers.renter, viewers.revoked, viewers.denied, ...viewers.neverSeen];
      const results = await askAll(handler, everyone, viewers.token);
      expect(results.map((r) => [...outcomeOf(r), header(r, 'retry-after')])).toEqual(everyone.map(() => [503, 'store-unavailable', '2']));
      expect(logLines.some((line) => line.reason === 'stale-allow' || line.StaleAllows !== undefined)).toBe(false);
    });
  },
);

it('recovers when the store comes back: fresh allows, and no grace left over for viewers denied since', async () => {
  const handler = handlerWithGrace(GRACE);
  const viewers = cast('recovery');
  await beforeTheOutage(handler, viewers);
  proxy.setFault('blackhole');
  expect((await askAll(handler, viewers.allowed, viewers.token)).map(outcomeOf)).toEqual(viewers.allowed.map(() => [200, 'key']));
  proxy.setFault('pass');
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { uid: { S: viewers.allowed[0] }, sk: { S: 'movie' } } }));
  const back = await askAll(handler, viewers.allowed, viewers.token);
  expect(back.map(outcomeOf)).toEqual([[403, 'not-entitled'], ...viewers.allowed.slice(1).map(() => [200, 'key'])]);
  expect(
    logLines
      .slice(-3)
      .map((line) => line.reason)
      .sort(),
  ).toEqual(['entitled', 'entitled', 'not-entitled']);
  // A second outage, once those answers have left the cache: the grace follows the newest lookup.
  advanceWallClock(ALLOW_TTL + 1);
  proxy.setFault('blackhole');
  const again = await askAll(handler, viewers.allowed, viewers.token);
  expect(again.map(outcomeOf)).toEqual([[503, 'store-unavailable'], ...viewers.allowed.slice(1).map(() => [200, 'key'])]);
});

/** Stream limits through an outage: the three shapes the red team found, and a new session. */
describe.each(STORE_FAULTS.map((fault) => [fault]))('the grace keeps stream limits with every replica failing: %s', (fault) => {
  const key = (_uid: string, token: string) => viewerRequestEvent({ uri: KEY, headers: { Authorization: `Bearer ${token}` } });
  const sessionToken = (uid: string, psid?: string) => makeToken(uid, { ...(psid ? { psid } : {}), exp: nowSeconds() + 3600 });

  it('serves only the session this container renewed; never a second session, a token without psid, an ended session or a new one', async () => {
    const handler = handlerWithGrace(GRACE);
    const solo = `${fault}-solo`; // a plan of one stream
    const duo = `${fault}-duo`; // a plan of two, one of whose sessions is ended
    await put(solo, '*', { maxStreams: { N: '1' } });
    await put(duo, '*', { maxStreams: { N: '2' } });
    const playing = sessionToken(solo, `${fault}-playing`);
    const second = sessionToken(solo, `${fault}-second`);
    const noSession = sessionToken(solo);
    const ended = sessionToken(duo, `${fault}-ended`);
    const fresh = sessionToken(solo, `${fault}-fresh`);

    // While the store is up: the red team's "before" column.
    const before = [await handler(key(solo, playing)), await handler(key(solo, second)), await handler(key(solo, noSession))];
    expect(before.map(outcomeOf)).toEqual([
      [200, 'key'],
      [403, 'stream-limit'],
      [403, 'session-required'],
    ]);
    expect(outcomeOf(await handler(key(duo, ended)))).toEqual([200, 'key']);
    await client.send(
      new UpdateItemCommand({
        TableName: LEASE_TABLE,
        Key: { uid: { S: duo }, sk: { S: `#lease#${fault}-ended` } },
        UpdateExpression: 'SET endedAt = :now',
        ExpressionAttributeValues: { ':now': { N: String(nowSeconds()) } },
      }),
    );
    advanceWallClock(16); // past the quarter lease in which a renewal is skipped
    expect(outcomeOf(await handler(key(duo, ended)))).toEqual([403, 'session-ended']);
    advanceWallClock(16); // +32 s: every allow left the cache; the playing session's lease (60 s) is still live

    proxy.setFault(fault);
    const metBefore = proxy.met[fault];
    const during = [playing, second, noSession, fresh].map((token) => handler(key(solo, token)));
    const results = [...(await Promise.all(during)), await handler(key(duo, ended))];
    expect(results.map(outcomeOf)).toEqual([
      [200, 'key'],
      [503, 'store-unavailable'],
      [503, 'store-unavailable'],
      [503, 'store-unavailable'],
      [503, 'store-unavailable'],
    ]);
    expect(logLines.filter((line) => line.reason === 'stale-allow')).toHaveLength(1);
    expect(proxy.met[fault]).toBeGreaterThan(metBefore);

    // Past the playing session's lease, it too gets no more grace: its stream is no longer known to be held.
    advanceWallClock(29); // +61 s
    expect(outcomeOf(await handler(key(solo, playing)))).toEqual([503, 'store-unavailable']);
  });
});

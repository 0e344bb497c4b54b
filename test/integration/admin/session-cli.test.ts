import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { leaseSortKey } from '../../../lambda/key-authorizer/contract';
import { createHandler } from '../../../lambda/key-authorizer/create-handler';
import { ensureKeygateTables, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { LEASE_TABLE, TABLE, makeAuthorizerConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import { isResponse, viewerRequestEvent, type EdgeResult } from '../../fixtures/built-authorizer';
import { runCli } from '../../fixtures/run-cli';

let dynamo: LocalDynamoDb;
let stdout: jest.SpyInstance;
const env = () => ({ KEYGATE_TABLE: TABLE, AWS_REGION: 'us-east-1' });
const keygate = (...args: string[]) => runCli([...args, '--endpoint', dynamo.endpoint], env());
const reason = (result: EdgeResult) => (isResponse(result) ? result.headers['x-keygate-reason']?.[0]?.value : 'key');

/** A fresh edge container (no warm cache) reading the local table. */
function container() {
  return createHandler(
    makeAuthorizerConfig({
      endpoint: dynamo.endpoint,
      replicaRegions: ['us-east-1'],
      replicaPreference: {},
      streams: { sessionIdClaim: 'psid', leaseSeconds: 60, settleSeconds: 3, defaultMaxStreams: null },
    }),
    'us-east-1',
  );
}

function keyRequest(uid: string, sessionId: string, keyIndex = 0) {
  const token = makeToken(uid, { psid: sessionId });
  return viewerRequestEvent({ uri: `/keys/movie/${keyIndex}.key`, headers: { Authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  const client = localDynamoDbClient(dynamo.endpoint);
  await ensureKeygateTables(client, { tableName: TABLE, leaseTableName: LEASE_TABLE });
  client.destroy();
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  stdout.mockRestore();
  await dynamo.close();
});

describe('keygate grant --max-streams, sessions and end-session', () => {
  it('grants a plan of two streams that the authorizer enforces', async () => {
    expect(await keygate('grant', 'carol', '*', '--max-streams', '2')).toMatchObject({
      code: 0,
      stdout: 'granted carol every video, 2 streams at once\n',
    });
    const edge = container();
    expect(reason(await edge(keyRequest('carol', 'carol-living-room')))).toBe('key');
    expect(reason(await edge(keyRequest('carol', 'carol-phone-0001')))).toBe('key');
    expect(reason(await edge(keyRequest('carol', 'carol-tablet-001')))).toBe('stream-limit');
  });

  it('lists live sessions with video, start, last renewal and region', async () => {
    const listed = await keygate('sessions', 'carol', '--json');
    expect(listed.code).toBe(0);
    const sessions = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(sessions.map((s) => [s.sessionId, s.videoId, s.region, s.state])).toEqual([
      ['carol-living-room', 'movie', 'us-east-1', 'playing'],
      ['carol-phone-0001', 'movie', 'us-east-1', 'playing'],
    ]);
    expect(sessions[0]).toEqual(expect.objectContaining({ startedAt: expect.any(Number), renewedAt: expect.any(Number) }));
    const table = await keygate('sessions', 'carol');
    expect(table.stdout).toMatch(/carol-living-room.*movie.*playing.*us-east-1/);
  });

  it('finds the leases in the lease table (<table>-leases by default), none in the entitlement table', async () => {
    const client = localDynamoDbClient(dynamo.endpoint);
    try {
      const inTable = async (table: string) =>
        (
          await client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'uid = :uid',
              ExpressionAttributeValues: { ':uid': { S: 'carol' } },
            }),
          )
        ).Items?.map((item) => item.sk.S);
      expect(await inTable(TABLE)).toEqual(['*']);
      expect(await inTable(LEASE_TABLE)).toEqual(['#lease#carol-living-room', '#lease#carol-phone-0001']);
    } finally {
      client.destroy();
    }
    const explicit = await keygate('sessions', 'carol', '--json', '--lease-table', LEASE_TABLE);
    expect((JSON.parse(explicit.stdout) as unknown[]).length).toBe(2);
    const missing = await keygate('sessions', 'carol', '--lease-table', 'no-such-leases');
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'keygate: lease table no-such-leases not found in us-east-1: pass --lease-table (the stack output LeaseTableName), or deploy the stack that creates it\n',
    ]);
  });

  it('does not show sessions among the grants of `keygate list`', async () => {
    const listed = JSON.parse((await keygate('list', 'carol', '--json')).stdout) as { sk: string; maxStreams?: number }[];
    expect(listed).toEqual([expect.objectContaining({ sk: '*', maxStreams: 2 })]);
  });

  it('end-session stops exactly that session at its next key request, frees its stream, and it never restarts', async () => {
    const ended = await keygate('end-session', 'carol', 'carol-phone-0001');
    expect(ended).toMatchObject({ code: 0 });
    expect(ended.stdout).toMatch(/^ended session carol-phone-0001 of carol \(written in us-east-1\)/);
    const edge = container();
    expect(reason(await edge(keyRequest('carol', 'carol-phone-0001', 1)))).toBe('session-ended');
    expect(reason(await edge(keyRequest('carol', 'carol-living-room', 1)))).toBe('key');
    expect(reason(await edge(keyRequest('carol', 'carol-tablet-001')))).toBe('key');
    const states = (JSON.parse((await keygate('sessions', 'carol', '--json')).stdout) as { sessionId: string; state: string }[]).map(
      (s) => `${s.sessionId}:${s.state}`,
    );
    expect(states.sort()).toEqual(['carol-living-room:playing', 'carol-phone-0001:ended', 'carol-tablet-001:playing']);
    expect((await keygate('end-session', 'carol', 'carol-phone-0001')).stdout).toBe(
      'session carol-phone-0001 of carol was already ended\n',
    );
  });

  it('explains an unknown or malformed session id and a bad --max-streams', async () => {
    const unknown = await keygate('end-session', 'carol', 'no-such-session');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('keygate: carol has no session no-such-session (keygate sessions carol lists them)\n');
    expect((await keygate('end-session', 'carol', 'a b')).stderr).toMatch(/session id "a b" must be 8–64 of/);
    expect((await keygate('grant', 'carol', '*', '--max-streams', 'two')).stderr).toMatch(
      /^keygate: --max-streams must be a whole number from 0 to 1000 \(got two\)\n$/,
    );
    expect((await keygate('sessions', 'nobody')).stdout).toBe('nobody has no playback sessions\n');
  });

  it('lists a malformed lease as keygate list shows a malformed grant, and end-session says what is wrong with it', async () => {
    const client = localDynamoDbClient(dynamo.endpoint);
    // A lease the authorizer's reader refuses: expiresAt is text.
    await client.send(
      new PutItemCommand({
        TableName: LEASE_TABLE,
        Item: { uid: { S: 'dora' }, sk: { S: leaseSortKey('dora-broken-001') }, expiresAt: { S: 'soon' } },
      }),
    );
    client.destroy();
    const listed = await keygate('sessions', 'dora');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^session +state\n${leaseSortKey('dora-broken-001').replace(/[#]/g, '\\$&')} +MALFORMED: .+\n$`),
    );
    const ended = await keygate('end-session', 'dora', 'dora-broken-001');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(
      /^keygate: the lease of session dora-broken-001 of dora is malformed \(.+\): the authorizer answers 503 for dora until it is fixed or deleted\n$/,
    );
  });

  it('keygate token --session-id puts the playback session id in the psid claim', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-session-token-'));
    try {
      expect((await runCli(['keygen', '--out', dir])).code).toBe(0);
      const args = ['token', 'carol', '--key', join(dir, 'signing-key.pem'), '--issuer', 'https://i.test', '--audience', 'player'];
      const minted = await runCli([...args, '--session-id', 'carol-cli-session']);
      expect(minted.code).toBe(0);
      const payload = JSON.parse(Buffer.from(minted.stdout.trim().split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      expect(payload.psid).toBe('carol-cli-session');
      expect((await runCli([...args, '--session-id', 'short'])).stderr).toMatch(/--session-id must be 8–64 of/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents both commands in --help', async () => {
    const sessions = await runCli(['sessions', '--help']);
    expect(sessions.stdout).toMatch(/Usage: keygate sessions \[options\] <uid>[\s\S]*--json[\s\S]*--table[\s\S]*--lease-table/);
    const end = await runCli(['end-session', '--help']);
    expect(end.stdout).toMatch(/Usage: keygate end-session \[options\] <uid> <sessionId>[\s\S]*other sessions\s+keep playing/);
  });
});

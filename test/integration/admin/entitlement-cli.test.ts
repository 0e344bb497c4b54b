import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeEntitlement } from '../../../lambda/key-authorizer/entitlements/entitlement-decision';
import { DynamoDbEntitlementStore } from '../../../lambda/key-authorizer/entitlements/entitlement-store';
import { createTokenVerifier } from '../../../lambda/key-authorizer/identity/jwt';
import { parseJwks } from '../../../lambda/key-authorizer/config/authorizer-config';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { TABLE, makeAuthorizerConfig, makeIssuer, makeJwtConfig } from '../../fixtures/authorizer-fixtures';
import { runCli } from '../../fixtures/run-cli';

let dynamo: LocalDynamoDb;
let store: DynamoDbEntitlementStore;
let workDir: string;
const env = () => ({ KEYGATE_TABLE: TABLE, AWS_REGION: 'us-east-1' });
const keygate = (...args: string[]) => runCli([...args, '--endpoint', dynamo.endpoint], env());
const now = () => Math.floor(Date.now() / 1000);

/** The authorizer's own verdict on what the CLI wrote: read with its store, judged with its rules. */
async function verdict(uid: string, videoId: string, issuedAt = now()) {
  const { records } = await store.lookup(uid, videoId);
  return judgeEntitlement(records, { uid, issuedAt }, now());
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  const client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  client.destroy();
  store = new DynamoDbEntitlementStore(
    makeAuthorizerConfig({ endpoint: dynamo.endpoint, replicaRegions: ['us-east-1'], replicaPreference: {} }),
    'us-east-1',
  );
  workDir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
});

afterAll(async () => {
  await dynamo.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('keygate grant, revoke and list, read back by the authorizer', () => {
  it('grants a purchase the authorizer allows', async () => {
    const result = await keygate('grant', 'alice', 'movie', '--order-id', 'order-1');
    expect(result).toMatchObject({ code: 0, stdout: 'granted alice movie\n' });
    expect(await verdict('alice', 'movie')).toEqual({ allowed: true, via: 'video' });
    expect(await verdict('alice', 'other')).toEqual({ allowed: false, reason: 'not-entitled' });
  });

  it('grants a rental with expiresAt and a TTL a day later', async () => {
    expect((await keygate('grant', 'renter', 'movie', '--for', '48h')).code).toBe(0);
    const { records } = await store.lookup('renter', 'movie');
    expect(records.video?.expiresAt).toBeGreaterThanOrEqual(now() + 48 * 3600 - 5);
    expect(records.video?.ttl).toBe((records.video?.expiresAt as number) + 86_400);
    expect(await verdict('renter', 'movie')).toEqual({ allowed: true, via: 'video' });
  });

  it('writes a rental that has run out as entitlement-expired for the authorizer', async () => {
    // The end is far enough ahead that a slow CLI start on a busy machine still writes a rental that has not ended yet.
    const end = now() + 30;
    expect((await keygate('grant', 'late', 'movie', '--until', new Date(end * 1000).toISOString())).code).toBe(0);
    const { records } = await store.lookup('late', 'movie');
    expect(judgeEntitlement(records, { uid: 'late', issuedAt: now() }, end + 1)).toEqual({
      allowed: false,
      reason: 'entitlement-expired',
    });
  });

  it('grants an all-access subscription with *', async () => {
    expect((await keygate('grant', 'subscriber', '*')).code).toBe(0);
    expect(await verdict('subscriber', 'anything')).toEqual({ allowed: true, via: 'all-access' });
  });

  it('revokes a grant', async () => {
    await keygate('grant', 'refund', 'movie');
    expect(await keygate('revoke', 'refund', 'movie')).toMatchObject({ code: 0, stdout: 'revoked refund movie\n' });
    expect(await verdict('refund', 'movie')).toEqual({ allowed: false, reason: 'not-entitled' });
  });

  it('prints what grant and revoke did as one JSON line with --json', async () => {
    const granted = await keygate('grant', 'scripted', 'movie', '--for', '1h', '--order-id', 'o-7', '--json');
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toEqual({
      granted: expect.objectContaining({ uid: 'scripted', sk: 'movie', orderId: 'o-7', expiresAt: expect.any(Number) }),
    });
    expect(granted.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse((await keygate('revoke', 'scripted', 'movie', '--json')).stdout)).toEqual({
      uid: 'scripted',
      videoId: 'movie',
      revoked: true,
    });
    expect(JSON.parse((await keygate('revoke', 'scripted', 'movie', '--json')).stdout)).toEqual({
      uid: 'scripted',
      videoId: 'movie',
      revoked: false,
    });
  });

  it('revoke-sessions refuses every token issued up to now, including this second', async () => {
    await keygate('grant', 'sharer', 'movie');
    const issuedNow = now();
    expect((await keygate('revoke-sessions', 'sharer')).code).toBe(0);
    // The mark is the CLI's own clock, which a busy machine may read seconds after issuedNow.
    const afterRevoke = now();
    expect(await verdict('sharer', 'movie', issuedNow)).toEqual({ allowed: false, reason: 'session-revoked' });
    expect(await verdict('sharer', 'movie', afterRevoke + 2)).toEqual({ allowed: true, via: 'video' });
  });

  it('lists grants as a table and as JSON', async () => {
    const table = await keygate('list', 'alice');
    expect(table.stdout).toContain('purchase');
    expect(table.stdout).toContain('order-1');
    const json = JSON.parse((await keygate('list', 'alice', '--json')).stdout);
    expect(json).toEqual([expect.objectContaining({ uid: 'alice', sk: 'movie', orderId: 'order-1' })]);
  });

  it('lists an item the authorizer would refuse as malformed, with the attribute at fault, never as a purchase', async () => {
    // What a backend writing `expiresAt: null` through DocumentClient leaves behind.
    const client = localDynamoDbClient(dynamo.endpoint);
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { uid: { S: 'nulls' }, sk: { S: 'movie' }, grantedAt: { N: '1' }, expiresAt: { NULL: true } },
      }),
    );
    client.destroy();
    const table = await keygate('list', 'nulls');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('MALFORMED');
    expect(table.stdout).toContain('attribute expiresAt must have DynamoDB type N, found NULL');
    expect(table.stdout).not.toContain('purchase');
    const json = JSON.parse((await keygate('list', 'nulls', '--json')).stdout);
    expect(json).toEqual([{ sk: 'movie', malformed: expect.stringContaining('expiresAt') }]);
  });
});

describe('bad input gets one actionable line, a non-zero exit, and changes nothing', () => {
  it.each([
    [['grant', 'mallory', '../etc'], /video id "..\/etc" must be/],
    [['grant', 'mallory', 'movie', '--for', 'forever'], /--for "forever" must be a duration/],
    // A bare number once made a 48-second rental.
    [['grant', 'mallory', 'movie', '--for', '48'], /^keygate: --for "48" must be a duration with its unit, like 30m, 48h or 7d\n$/],
    [['grant', 'mallory', 'movie', '--until', 'tomorrow'], /--until "tomorrow" must be an ISO time/],
    [['grant', 'mallory', 'movie', '--until', '2001-01-01T00:00:00Z'], /a rental must end in the future/],
    [['grant', 'mallory', 'movie', '--for', '1h', '--until', '2099-01-01T00:00:00Z'], /not both/],
    // The authorizer would refuse the item (its ttl passes year 9999) with a 503 for that viewer.
    [['grant', 'mallory', 'movie', '--until', '9999-12-31T23:59:59Z'], /a rental must end before 9999-12-30/],
  ])('keygate %j', async (args, message) => {
    const result = await keygate(...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(await verdict('mallory', 'movie')).toEqual({ allowed: false, reason: 'not-entitled' });
  });

  it('says where to find the table name when none is given', async () => {
    const result = await runCli(['grant', 'alice', 'movie'], { KEYGATE_TABLE: '', AWS_REGION: 'us-east-1' });
    expect([result.code, result.stderr]).toEqual([
      1,
      'keygate: no table: pass --table <name> or set KEYGATE_TABLE (the stack output EntitlementTableName)\n',
    ]);
  });

  it('says the table does not exist rather than printing a stack trace', async () => {
    const result = await runCli(['grant', 'alice', 'movie', '--table', 'nope-table', '--endpoint', dynamo.endpoint], env());
    expect(result.stderr).toBe('keygate: table nope-table not found: check --table and --region (the stack outputs name them)\n');
  });

  it('offers --help on every command', async () => {
    for (const command of ['grant', 'revoke', 'revoke-sessions', 'list', 'import', 'keygen', 'token']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: keygate ${command}`));
    }
  });
});

describe('first-run papercuts of keygate grant, list and token', () => {
  it('asks for --force before a rental replaces a purchase, and keeps the purchase meanwhile', async () => {
    expect((await keygate('grant', 'owner', 'movie')).code).toBe(0);
    const refused = await keygate('grant', 'owner', 'movie', '--for', '48h');
    expect(refused).toMatchObject({
      code: 1,
      stderr: 'keygate: owner owns movie for good; a rental would replace that purchase and end it; pass --force to replace it\n',
    });
    expect(JSON.parse((await keygate('list', 'owner', '--json')).stdout)).toEqual([
      expect.not.objectContaining({ expiresAt: expect.anything() }),
    ]);
    expect((await keygate('grant', 'owner', 'movie', '--for', '48h', '--force')).code).toBe(0);
    expect(JSON.parse((await keygate('list', 'owner', '--json')).stdout)).toEqual([
      expect.objectContaining({ expiresAt: expect.any(Number) }),
    ]);
  });

  it('warns, and still grants, when the video is not published at --media-url', async () => {
    // A distribution in miniature: the published title's master playlist, and S3's 403 for any other key.
    const requests: string[] = [];
    const distribution = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(req.url === '/videos/movie/master.m3u8' ? 200 : 403).end();
    });
    await new Promise<void>((resolve) => distribution.listen(0, '127.0.0.1', resolve));
    const mediaUrl = `http://127.0.0.1:${(distribution.address() as AddressInfo).port}`;
    try {
      const unknown = await keygate('grant', 'checker', 'nosuchvideo', '--media-url', mediaUrl);
      expect(unknown.code).toBe(0);
      expect(unknown.stdout).toBe('granted checker nosuchvideo\n');
      expect(unknown.stderr).toBe(
        `keygate: warning: nosuchvideo is not published at ${mediaUrl}/ (/videos/nosuchvideo/master.m3u8: 403); check the video id\n`,
      );
      expect(await verdict('checker', 'nosuchvideo')).toEqual({ allowed: true, via: 'video' });
      const published = await runCli(['grant', 'checker', 'movie', '--endpoint', dynamo.endpoint], {
        ...env(),
        KEYGATE_MEDIA_URL: mediaUrl,
      });
      expect([published.code, published.stderr]).toEqual([0, '']);
      expect(requests).toEqual(['HEAD /videos/nosuchvideo/master.m3u8', 'HEAD /videos/movie/master.m3u8']);
    } finally {
      await new Promise((resolve) => distribution.close(resolve));
    }
  });

  it('lists grants in plain aligned columns, without an (index) column', async () => {
    expect((await keygate('grant', 'columns', 'movie', '--order-id', 'o-1')).code).toBe(0);
    expect((await keygate('grant', 'columns', '*', '--max-streams', '2')).code).toBe(0);
    const { stdout } = await keygate('list', 'columns');
    expect(stdout).not.toContain('(index)');
    expect(stdout).not.toMatch(/[│┌└─']/);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^video {2,}kind {2,}until {2,}state {2,}order {2,}streams$/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(/ {2,}/)[0])
        .sort(),
    ).toEqual(['*', 'movie']);
    // Aligned: every column starts at the same offset on every line.
    expect(new Set(lines.map((line) => line.indexOf(line.split(/ {2,}/)[1])))).toEqual(new Set([lines[0].indexOf('kind')]));
  });

  it('refuses a path-token URL that would outlive the path-token limit, which the authorizer would refuse', async () => {
    const dir = join(workDir, 'path-keys');
    expect((await runCli(['keygen', '--out', dir])).code).toBe(0);
    const token = (ttl: string, ...more: string[]) =>
      runCli([
        'token',
        'alice',
        '--key',
        join(dir, 'signing-key.pem'),
        '--issuer',
        'https://i.example',
        '--audience',
        'a',
        '--ttl',
        ttl,
        '--path-url',
        'https://cdn.example/videos/movie/master.m3u8',
        ...more,
      ]);
    const refused = await token('6h');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'keygate: --ttl 6h is longer than a path token may live (4h, pathTokenMaxLifetime): the authorizer would refuse this URL; pass --ttl 4h or less\n',
    );
    expect(refused.stdout).toBe('');
    expect((await token('4h')).stdout).toMatch(/^https:\/\/cdn\.example\/t\/[\w-]+\.[\w-]+\.[\w-]+\/videos\/movie\/master\.m3u8\n$/);
    expect((await token('6h', '--path-max-lifetime', '8h')).code).toBe(0);
  });
});

describe('keygate keygen and token', () => {
  it('writes a 0600 private key and a JWKS whose tokens the authorizer accepts', async () => {
    const dir = join(workDir, 'keys');
    expect((await runCli(['keygen', '--out', dir, '--alg', 'ES384'])).code).toBe(0);
    expect(statSync(join(dir, 'signing-key.pem')).mode & 0o777).toBe(0o600);
    const jwks = parseJwks(JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')));
    expect(jwks.keys[0].alg).toBe('ES384');

    const minted = await runCli([
      'token',
      'alice',
      '--key',
      join(dir, 'signing-key.pem'),
      '--issuer',
      'https://issuer.test',
      '--audience',
      'player',
      '--ttl',
      '5m',
      '--videos',
      'movie,trailer',
    ]);
    expect(minted.code).toBe(0);
    const verifier = createTokenVerifier(makeJwtConfig([makeIssuer({ issuer: 'https://issuer.test', audience: ['player'], jwks })]));
    const identity = verifier.verify(minted.stdout.trim(), now());
    expect(identity).toMatchObject({ uid: 'alice', videos: ['movie', 'trailer'] });
    expect(identity.expiresAt - identity.issuedAt).toBe(300);
  });

  it('refuses to overwrite an existing key without --force', async () => {
    const dir = join(workDir, 'keep');
    await runCli(['keygen', '--out', dir]);
    const before = readFileSync(join(dir, 'signing-key.pem'), 'utf8');
    const again = await runCli(['keygen', '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(join(dir, 'signing-key.pem'), 'utf8')).toBe(before);
  });

  it('explains a missing key file', async () => {
    const result = await runCli(['token', 'alice', '--key', join(workDir, 'none.pem'), '--issuer', 'https://i.test', '--audience', 'a']);
    expect(result.stderr).toMatch(/no private key at .*none.pem; create one with: keygate keygen/);
  });
});

describe('keygate import', () => {
  it('lands every good row of 1,000 and reports each bad row by its line', async () => {
    const lines = ['uid,videoId,until,orderId'];
    const bad = new Map<number, RegExp>();
    for (let i = 0; i < 1000; i++) {
      const line = lines.length + 1;
      if (i % 97 === 13) {
        lines.push(`bulk${i},../x,,o${i}`);
        bad.set(line, /video id/);
      } else if (i % 101 === 7) {
        lines.push(`bulk${i},movie,next tuesday,o${i}`);
        bad.set(line, /^until "next tuesday" must be an ISO time/);
      } else if (i === 500) {
        lines.push(`,movie,,`);
        bad.set(line, /missing uid/);
      } else {
        lines.push(`bulk${i},${i % 3 === 0 ? '*' : 'movie'},${i % 2 === 0 ? '48h' : ''},o${i}`);
      }
    }
    const csv = join(workDir, 'grants.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const result = await keygate('import', csv, '--json');
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { written: number; rejected: { line: number; reason: string }[] };
    expect(report.written).toBe(1000 - bad.size);
    expect(report.rejected.map((r) => r.line)).toEqual([...bad.keys()]);
    for (const row of report.rejected) expect(row.reason).toMatch(bad.get(row.line) as RegExp);
    expect(await verdict('bulk1', 'movie')).toEqual({ allowed: true, via: 'video' });
    expect(await verdict('bulk999', 'whatever')).toEqual({ allowed: true, via: 'all-access' });
    expect(await verdict('bulk13', 'movie')).toEqual({ allowed: false, reason: 'not-entitled' });
  });
});

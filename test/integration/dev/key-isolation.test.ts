import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { rawHttpGet } from '../../../lib/admin/raw-http';
import { createCloudFrontEmulator } from '../../../lib/dev/cloudfront-emulator';
import { loadEdgeHandler } from '../../../lib/dev/dev-stack';
import { ensureEntitlementTable, localDynamoDbClient, startLocalDynamoDb, type LocalDynamoDb } from '../../../lib/dev/local-dynamodb';
import { publishedBuckets, type S3BucketModel } from '../../../lib/dev/s3-bucket-model';
import { buildAuthorizerBundle } from '../../../lib/build/authorizer-bundle';
import { TABLE, makeAuthorizerConfig, makeToken } from '../../fixtures/authorizer-fixtures';
import { encodedPathAttacks } from '../../fixtures/encoded-path-attacks';

// The built authorizer bundle on /keys/*, dynalite behind it, and the CloudFront + S3 model around
// it, twice: with the deployed layout (keys in a bucket of their own) and with the old one (keys
// beside the media, behind the default behavior). The model must leak in the old layout exactly
// where CloudFront + S3 leak, or a green run of the deployed layout proves nothing.
const MOVIE_KEY = Buffer.from('movie-key-16byte');
const TRAILER_KEY = Buffer.from('trailer-key-16by');

let root: string;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let stdout: jest.SpyInstance;
const servers: Record<'deployed' | 'oldLayout', { server: Server; url: string }> = {} as never;

/** A GET sent exactly as written: fetch would normalise the very paths under test. */
const get = (base: string, path: string, headers: Record<string, string> = {}) => rawHttpGet()(new URL(base), path, headers);
const isMovieKey = (res: { status: number; body: Buffer }) => res.status === 200 && res.body.equals(MOVIE_KEY);

async function serve(mediaBucket: S3BucketModel, keyBucket: S3BucketModel, bundleFile: string) {
  const { server } = createCloudFrontEmulator({ mediaBucket, keyBucket, handler: loadEdgeHandler(bundleFile), allowedOrigins: [] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  // The decision log goes to stdout; it is not what this suite is about.
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  root = mkdtempSync(join(tmpdir(), 'keygate-isolation-'));
  const origin = join(root, 'origin');
  for (const dir of ['videos/movie', 'keys/movie', 'keys/trailer']) mkdirSync(join(origin, dir), { recursive: true });
  writeFileSync(join(origin, 'videos/movie/master.m3u8'), '#EXTM3U\n');
  writeFileSync(join(origin, 'keys/movie/0.key'), MOVIE_KEY);
  writeFileSync(join(origin, 'keys/trailer/0.key'), TRAILER_KEY);

  dynamo = await startLocalDynamoDb();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureEntitlementTable(client, TABLE);
  const documents = DynamoDBDocumentClient.from(client);
  await documents.send(new PutCommand({ TableName: TABLE, Item: { uid: 'alice', sk: 'movie', grantedAt: 1 } }));
  await documents.send(new PutCommand({ TableName: TABLE, Item: { uid: 'bob', sk: 'trailer', grantedAt: 1 } }));

  const config = makeAuthorizerConfig({ endpoint: dynamo.endpoint, replicaRegions: ['us-east-1'], replicaPreference: {} });
  const { bundleFile } = buildAuthorizerBundle(config, join(root, 'edge'));
  const published = publishedBuckets(origin);
  const oneBucket: S3BucketModel = { dir: origin, holds: () => true };
  servers.deployed = await serve(published.media, published.keys, bundleFile);
  servers.oldLayout = await serve(oneBucket, oneBucket, bundleFile);
});

afterAll(async () => {
  for (const { server } of Object.values(servers)) await new Promise<void>((resolve) => server.close(() => resolve()));
  client.destroy();
  await dynamo.close();
  stdout.mockRestore();
  rmSync(root, { recursive: true, force: true });
});

const attacks = encodedPathAttacks('movie', '0');
const viewers: [string, () => Record<string, string>][] = [
  ['a viewer with no credentials', () => ({})],
  ['bob, who owns only the trailer', () => ({ cookie: `keygate_token=${makeToken('bob')}` })],
];

describe.each(viewers)('encoded-path attacks by %s', (_who, headers) => {
  it.each(attacks.map((a) => [a.path]))('get no key from the deployed layout: %s', async (path) => {
    const res = await get(servers.deployed.url, path, headers());
    expect(isMovieKey(res)).toBe(false);
    expect(res.body.includes(MOVIE_KEY)).toBe(false);
  });

  it.each(attacks.map((a) => [a.path, a.sharedBucketLeak]))(
    'get the key from the old layout exactly where CloudFront + S3 would hand it out: %s (leaks: %s)',
    async (path, leaks) => {
      expect(isMovieKey(await get(servers.oldLayout.url, path, headers()))).toBe(leaks);
    },
  );
});

describe('the layouts otherwise behave alike', () => {
  it.each(['deployed', 'oldLayout'] as const)('hand alice her key through the keys behavior (%s)', async (layout) => {
    const res = await get(servers[layout].url, '/keys/movie/0.key', { authorization: `Bearer ${makeToken('alice')}` });
    expect(isMovieKey(res)).toBe(true);
  });

  it.each(['deployed', 'oldLayout'] as const)('refuse the plain key path without credentials (%s)', async (layout) => {
    expect((await get(servers[layout].url, '/keys/movie/0.key')).status).toBe(401);
  });

  it('never list the media bucket through the default behavior', async () => {
    const res = await get(servers.deployed.url, '/');
    expect(res.status).toBe(403);
    expect(res.body.toString()).not.toContain('master.m3u8');
  });

  it.each(['deployed', 'oldLayout'] as const)('serve the media through the default behavior (%s)', async (layout) => {
    const res = await get(servers[layout].url, '/videos/movie/master.m3u8');
    expect(res).toMatchObject({ status: 200 });
    expect(res.body.toString()).toBe('#EXTM3U\n');
  });
});

import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishOrigin, s3ClientFor } from '../../../lib/media/publish';
import { startFakeCloudFront, type FakeCloudFront } from '../../fixtures/cloudfront-api';
import { runCli } from '../../fixtures/run-cli';

// s3rver ships no types.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const MEDIA = 'republish-media';
const KEYS = 'republish-keys';
const DISTRIBUTION = 'E2QWRUHEXAMPLE';
let root: string;
let server: InstanceType<typeof S3rver>;
let endpoint: string;
let client: S3Client;
let cloudFront: FakeCloudFront;
const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/**
 * One packaging of a title as `keygate package` writes it: a master naming two renditions, each
 * with 4 segments under 2 keys whose URIs are relative (`../../../keys/demo/<n>.key`). `generation`
 * changes every key and segment byte, as a re-packaging does.
 */
function packaging(generation: number, videoId = 'demo'): string {
  const dir = mkdtempSync(join(root, `packaging-${generation}-`));
  const master = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const r of ['360p', '180p']) {
    mkdirSync(join(dir, 'videos', videoId, r), { recursive: true });
    const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD'];
    for (let i = 0; i < 4; i++) {
      if (i % 2 === 0) playlist.push(`#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/${videoId}/${i / 2}.key",IV=0x${'0'.repeat(31)}${i}`);
      playlist.push('#EXTINF:4.000,', `seg${i}.ts`);
      writeFileSync(join(dir, 'videos', videoId, r, `seg${i}.ts`), Buffer.alloc(2048, generation * 16 + i));
    }
    writeFileSync(join(dir, 'videos', videoId, r, 'index.m3u8'), [...playlist, '#EXT-X-ENDLIST', ''].join('\n'));
    master.push('#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360', `${r}/index.m3u8`);
  }
  writeFileSync(join(dir, 'videos', videoId, 'master.m3u8'), [...master, ''].join('\n'));
  mkdirSync(join(dir, 'keys', videoId), { recursive: true });
  for (let n = 0; n < 2; n++) writeFileSync(join(dir, 'keys', videoId, `${n}.key`), Buffer.alloc(16, generation * 16 + n));
  return dir;
}

async function listObjects(bucket: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key as string).sort();
}

async function read(bucket: string, Key: string): Promise<Buffer> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
  return Buffer.from((await object.Body?.transformToByteArray()) as Uint8Array);
}

/** Every object of both buckets with the SHA-256 of its bytes. */
async function bucketBytes(): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const bucket of [MEDIA, KEYS])
    for (const Key of await listObjects(bucket))
      snapshot[`${bucket}/${Key}`] = createHash('sha256')
        .update(await read(bucket, Key))
        .digest('hex');
  return snapshot;
}

const publishArgs = (dir: string) => ['publish', dir, '--bucket', MEDIA, '--key-bucket', KEYS, '--endpoint', endpoint];

beforeAll(async () => {
  Object.assign(process.env, credentials);
  root = mkdtempSync(join(tmpdir(), 'keygate-republish-'));
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(root, 's3'),
    configureBuckets: [{ name: MEDIA }, { name: KEYS }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = s3ClientFor({ region: 'us-east-1', endpoint });
  cloudFront = await startFakeCloudFront({ distributionId: DISTRIBUTION, inProgressPolls: 1 });
  await publishOrigin(packaging(1), client, { media: MEDIA, keys: KEYS });
});

afterAll(async () => {
  client.destroy();
  await server.close();
  await cloudFront.close();
  rmSync(root, { recursive: true, force: true });
});

describe('keygate publish --invalidate: upload over the old packaging, then invalidate it at every edge', () => {
  it('refuses --invalidate without --distribution-id before uploading anything', async () => {
    const before = await bucketBytes();
    const result = await runCli([...publishArgs(packaging(2)), '--invalidate'], credentials);
    expect(result).toMatchObject({
      code: 1,
      stderr: 'keygate: --invalidate needs --distribution-id <id> (the distribution the stack created); nothing was uploaded\n',
    });
    expect(await bucketBytes()).toEqual(before);
    expect(cloudFront.requests).toEqual([]);
  });

  it('uploads the new keys over the old, invalidates both prefixes of the title and waits until it completes', async () => {
    const repackaged = packaging(3);
    const result = await runCli(
      [...publishArgs(repackaged), '--invalidate', '--distribution-id', DISTRIBUTION, '--cloudfront-endpoint', cloudFront.endpoint],
      credentials,
    );
    expect(result.code).toBe(0);
    expect(await read(KEYS, 'keys/demo/0.key')).toEqual(Buffer.alloc(16, 3 * 16));
    expect(cloudFront.batches().map((b) => b.paths)).toEqual([['/videos/demo/*', '/keys/demo/*']]);
    expect(cloudFront.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
    expect(result.stderr).toContain(
      `invalidating /videos/demo/* /keys/demo/* on ${DISTRIBUTION}: until it completes, viewers may get old keys with new segments and fail to play\n`,
    );
    expect(result.stderr).toMatch(/invalidation InProgress \(\d+ s\)\ninvalidation Completed \(\d+ s\)\n/);
    expect(result.stdout).toMatch(/\ninvalidation I\d+ completed: every edge now serves the new packaging of demo\n$/);
  });

  it('says which flag to fix when the distribution does not exist', async () => {
    const result = await runCli(
      [...publishArgs(packaging(4)), '--invalidate', '--distribution-id', 'ENOSUCHDIST', '--cloudfront-endpoint', cloudFront.endpoint],
      credentials,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /keygate: CloudFront has no distribution ENOSUCHDIST; the upload is done but nothing was invalidated, so edges may serve old keys with new segments: run again with the right --distribution-id/,
    );
  });

  it('stops waiting after --invalidate-timeout and says how to follow the invalidation', async () => {
    const slow = await startFakeCloudFront({ distributionId: DISTRIBUTION, inProgressPolls: Infinity });
    try {
      const result = await runCli(
        [
          ...publishArgs(packaging(5)),
          '--invalidate',
          '--distribution-id',
          DISTRIBUTION,
          '--invalidate-timeout',
          '1',
          '--cloudfront-endpoint',
          slow.endpoint,
        ],
        credentials,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /keygate: invalidation I0000000000001 of distribution E2QWRUHEXAMPLE has not completed after 1 s: .*aws cloudfront get-invalidation --distribution-id E2QWRUHEXAMPLE --id I0000000000001 \(or wait longer with --invalidate-timeout <seconds>\)\n$/,
      );
    } finally {
      await slow.close();
    }
  });
});

/** The bucket and key of the object a URI names, resolved as a player does from the URL of the playlist that holds it. */
function resolve(uri: string, playlistKey: string): { bucket: string; key: string } {
  const key = new URL(uri, `https://cdn.example/${playlistKey}`).pathname.slice(1);
  return { bucket: key.startsWith('keys/') ? KEYS : MEDIA, key };
}

/** What a player of one rendition fetches: the rendition playlist's segments and keys, with their bytes. */
async function playRendition(playlistKey: string) {
  const text = (await read(MEDIA, playlistKey)).toString('utf8');
  const keyUris = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
  const segmentUris = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const fetch = async (uris: string[]) =>
    Promise.all(
      uris.map(async (uri) => {
        const { bucket, key } = resolve(uri, playlistKey);
        return { key, bytes: await read(bucket, key) };
      }),
    );
  return { keys: await fetch(keyUris), segments: await fetch(segmentUris) };
}

/** The rendition playlists a fresh fetch of the title's master names. */
async function renditionsOfMaster(videoId: string): Promise<string[]> {
  const masterKey = `videos/${videoId}/master.m3u8`;
  const text = (await read(MEDIA, masterKey)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((uri) => resolve(uri, masterKey).key);
}

describe('keygate publish --replace: a new version beside the old, the master switched last', () => {
  beforeAll(async () => {
    await publishOrigin(packaging(6, 'film'), client, { media: MEDIA, keys: KEYS });
  });

  it('still refuses a re-packaging without a flag, and changes nothing', async () => {
    const before = await bucketBytes();
    const result = await runCli(publishArgs(packaging(7, 'film')), credentials);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^keygate: film is already published with other keys .*Publish it as a new version \(--replace\)/);
    expect(await bucketBytes()).toEqual(before);
  });

  it('publishes version 2: the old objects stay as they were, only the master changes', async () => {
    const before = await bucketBytes();
    const result = await runCli([...publishArgs(packaging(7, 'film')), '--replace'], credentials);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('published film as version 2: new viewers get it once their cached master playlist expires');
    const after = await bucketBytes();
    const changed = Object.keys(before).filter((key) => after[key] !== before[key]);
    expect(changed).toEqual([`${MEDIA}/videos/film/master.m3u8`]);
    expect((await listObjects(KEYS)).filter((k) => k.startsWith('keys/film/'))).toEqual([
      'keys/film/0.key',
      'keys/film/1.key',
      'keys/film/v2-0.key',
      'keys/film/v2-1.key',
    ]);
    expect(await read(KEYS, 'keys/film/v2-1.key')).toEqual(Buffer.alloc(16, 7 * 16 + 1));
  });

  it('lets a player that started before the switch finish on the old version: old playlist, old segments, old keys', async () => {
    const { keys, segments } = await playRendition('videos/film/180p/index.m3u8');
    expect(keys.map((k) => k.key)).toEqual(['keys/film/0.key', 'keys/film/1.key']);
    expect(keys[1].bytes).toEqual(Buffer.alloc(16, 6 * 16 + 1));
    expect(segments.map((s) => s.bytes[0])).toEqual([96, 97, 98, 99]);
  });

  it('gives a fresh fetch of the master the new version: v2 renditions, v2 segments, the new keys', async () => {
    expect(await renditionsOfMaster('film')).toEqual(['videos/film/v2/360p/index.m3u8', 'videos/film/v2/180p/index.m3u8']);
    const { keys, segments } = await playRendition('videos/film/v2/180p/index.m3u8');
    expect(keys.map((k) => k.key)).toEqual(['keys/film/v2-0.key', 'keys/film/v2-1.key']);
    expect(keys[0].bytes).toEqual(Buffer.alloc(16, 7 * 16));
    expect(segments.map((s) => s.key)).toEqual([0, 1, 2, 3].map((i) => `videos/film/v2/180p/seg${i}.ts`));
    expect(segments.map((s) => s.bytes[0])).toEqual([112, 113, 114, 115]);
  });

  it('publishes the next re-packaging as version 3, leaving version 2 as it was', async () => {
    const before = await bucketBytes();
    const report = await publishOrigin(packaging(8, 'film'), client, { media: MEDIA, keys: KEYS }, { replace: true });
    expect(report.versions).toEqual({ film: 3 });
    // The master goes last, after every object it names.
    expect(report.uploaded.at(-1)).toBe('videos/film/master.m3u8');
    const after = await bucketBytes();
    expect(Object.keys(before).filter((key) => after[key] !== before[key])).toEqual([`${MEDIA}/videos/film/master.m3u8`]);
    expect(await renditionsOfMaster('film')).toEqual(['videos/film/v3/360p/index.m3u8', 'videos/film/v3/180p/index.m3u8']);
    expect((await playRendition('videos/film/v2/360p/index.m3u8')).keys.map((k) => k.key)).toEqual([
      'keys/film/v2-0.key',
      'keys/film/v2-1.key',
    ]);
  });
});

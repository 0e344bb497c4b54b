import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishOrigin, s3ClientFor } from '../../../lib/media/publish';
import { TitleAlreadyPublishedError } from '../../../lib/media/republish-guard';
import { runCli } from '../../fixtures/run-cli';

// s3rver ships no types.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const MEDIA = 'keygate-media';
const KEYS = 'keygate-keys';
const BUCKETS = { media: MEDIA, keys: KEYS };
let root: string;
let origin: string;
let server: InstanceType<typeof S3rver>;
let endpoint: string;
let client: S3Client;
const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/** A small origin folder: two renditions of 6 segments, 3 playlists, 3 keys (18 objects) and a stray file. */
function makeOrigin(dir: string) {
  for (const r of ['180p', '90p']) {
    mkdirSync(join(dir, 'videos', 'demo', r), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'videos', 'demo', r, `seg${i}.ts`), Buffer.alloc(4096 + i, i));
    writeFileSync(join(dir, 'videos', 'demo', r, 'index.m3u8'), '#EXTM3U\n');
  }
  writeFileSync(join(dir, 'videos', 'demo', 'master.m3u8'), '#EXTM3U\n');
  mkdirSync(join(dir, 'keys', 'demo'), { recursive: true });
  for (let n = 0; n < 3; n++) writeFileSync(join(dir, 'keys', 'demo', `${n}.key`), Buffer.alloc(16, n));
  writeFileSync(join(dir, 'videos', 'demo', 'notes.txt'), 'not media');
}

async function listObjects(bucket: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key as string).sort();
}
/** Every object of both buckets. */
const listKeys = async () => [...(await listObjects(MEDIA)), ...(await listObjects(KEYS))].sort();

beforeAll(async () => {
  Object.assign(process.env, credentials);
  root = mkdtempSync(join(tmpdir(), 'keygate-publish-'));
  origin = join(root, 'origin');
  makeOrigin(origin);
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(root, 's3'),
    configureBuckets: [{ name: MEDIA }, { name: KEYS }, { name: 'old-layout' }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = s3ClientFor({ region: 'us-east-1', endpoint });
});

afterAll(async () => {
  client.destroy();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('publishOrigin against a real S3-compatible server (s3rver)', () => {
  it('resumes an interrupted run: the second run uploads only what the first did not', async () => {
    const controller = new AbortController();
    let seen = 0;
    await expect(
      publishOrigin(origin, client, BUCKETS, {
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => {
          if (++seen === 5) controller.abort();
        },
      }),
    ).rejects.toThrow();
    const afterInterrupt = await listKeys();
    expect(afterInterrupt.length).toBeGreaterThanOrEqual(5);
    expect(afterInterrupt.length).toBeLessThan(18);
    // Playlists go last: none is visible while its segments are missing.
    expect(afterInterrupt.some((k) => k.endsWith('.m3u8'))).toBe(false);

    const resumed = await publishOrigin(origin, client, BUCKETS, { concurrency: 4 });
    expect(resumed.skipped.sort()).toEqual(afterInterrupt);
    expect(resumed.uploaded.length + resumed.skipped.length).toBe(18);
    expect(resumed.ignored).toEqual(['videos/demo/notes.txt']);
  });

  it('lands every object with its content type and cache policy', async () => {
    expect(await listKeys()).toHaveLength(18);
    const head = (Key: string) => client.send(new HeadObjectCommand({ Bucket: Key.startsWith('keys/') ? KEYS : MEDIA, Key }));
    expect(await head('videos/demo/180p/seg0.ts')).toMatchObject({
      ContentType: 'video/mp2t',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('videos/demo/master.m3u8')).toMatchObject({
      ContentType: 'application/vnd.apple.mpegurl',
      CacheControl: 'public, max-age=60',
    });
    // CloudFront may keep a key (s-maxage); no other cache may (max-age=0), and viewers get no-store from the response headers policy.
    expect(await head('keys/demo/0.key')).toMatchObject({
      ContentType: 'application/octet-stream',
      CacheControl: 'max-age=0, s-maxage=31536000',
    });
    const body = await (await client.send(new GetObjectCommand({ Bucket: KEYS, Key: 'keys/demo/2.key' }))).Body?.transformToByteArray();
    expect(Buffer.from(body as Uint8Array).equals(Buffer.alloc(16, 2))).toBe(true);
  });

  it('puts keys in the key bucket only, and nothing else there', async () => {
    expect(await listObjects(KEYS)).toEqual(['keys/demo/0.key', 'keys/demo/1.key', 'keys/demo/2.key']);
    expect((await listObjects(MEDIA)).filter((k) => !k.startsWith('videos/'))).toEqual([]);
  });

  it('uploads nothing on a second run, and only the changed file after an edit', async () => {
    expect((await publishOrigin(origin, client, BUCKETS)).uploaded).toEqual([]);
    writeFileSync(join(origin, 'videos', 'demo', 'master.m3u8'), '#EXTM3U\n#EXT-X-VERSION:3\n');
    expect((await publishOrigin(origin, client, BUCKETS)).uploaded).toEqual(['videos/demo/master.m3u8']);
  });
});

/** Every object of both buckets with the SHA-256 of its bytes and its Cache-Control: what a viewer could be served. */
async function bucketBytes(): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const bucket of [MEDIA, KEYS])
    for (const Key of await listObjects(bucket)) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) as Uint8Array);
      snapshot[`${bucket}/${Key}`] = `${createHash('sha256').update(bytes).digest('hex')} ${object.CacheControl}`;
    }
  return snapshot;
}

/** The same title packaged again: new random keys and new segments under the same names. */
function repackaged(): string {
  const dir = join(root, `repackaged-${Math.random().toString(36).slice(2)}`);
  cpSync(origin, dir, { recursive: true });
  for (let n = 0; n < 3; n++) writeFileSync(join(dir, 'keys', 'demo', `${n}.key`), Buffer.alloc(16, 100 + n));
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'videos', 'demo', '180p', `seg${i}.ts`), Buffer.alloc(4096 + i, 200 + i));
  return dir;
}

describe('publishing a title again (#19): the adversary is the operator’s own re-packaging, mixing keys in caches', () => {
  it('refuses a title whose keys are published with other bytes, and changes nothing in either bucket', async () => {
    const before = await bucketBytes();
    expect(Object.keys(before)).toHaveLength(18);
    await expect(publishOrigin(repackaged(), client, BUCKETS)).rejects.toThrow(TitleAlreadyPublishedError);
    expect(await bucketBytes()).toEqual(before);
  });

  it('says so in one line from the CLI, naming a differing key, and exits 1', async () => {
    const before = await bucketBytes();
    const result = await runCli(['publish', repackaged(), '--bucket', MEDIA, '--key-bucket', KEYS, '--endpoint', endpoint], credentials);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'keygate: demo is already published with other keys (3 keys differ, e.g. keys/demo/0.key); nothing was uploaded: edge caches would mix old and new keys and segments for a day. Publish it as a new version (--replace), or under a new video id (README "Re-publishing a title")\n',
    );
    expect(await bucketBytes()).toEqual(before);
  });

  it('still accepts the same packaging again: nothing to upload, nothing changed', async () => {
    const before = await bucketBytes();
    expect((await publishOrigin(origin, client, BUCKETS)).uploaded).toEqual([]);
    expect(await bucketBytes()).toEqual(before);
  });
});

describe('publishOrigin refuses a layout that would leak keys, and uploads nothing', () => {
  const nothingNew = async (run: () => Promise<unknown>, message: RegExp) => {
    const before = [...(await listObjects(MEDIA)), ...(await listObjects(KEYS)), ...(await listObjects('old-layout'))];
    await expect(run()).rejects.toThrow(message);
    expect([...(await listObjects(MEDIA)), ...(await listObjects(KEYS)), ...(await listObjects('old-layout'))]).toEqual(before);
  };

  it('refuses one bucket for both keys and media', async () => {
    await nothingNew(() => publishOrigin(origin, client, { media: MEDIA, keys: MEDIA }), /keys must live in a bucket of their own/);
  });

  it('refuses a folder with keys when no key bucket is given', async () => {
    await nothingNew(() => publishOrigin(origin, client, { media: MEDIA }), /holds keys\/ and no key bucket was given/);
  });

  it('refuses a media bucket that still holds keys from the old layout', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'old-layout', Key: 'keys/movie/0.key', Body: Buffer.alloc(16) }));
    await nothingNew(
      () => publishOrigin(origin, client, { media: 'old-layout', keys: KEYS }),
      /the media bucket old-layout holds keys \(keys\/movie\/0\.key\): move them to the key bucket/,
    );
  });
});

describe('keygate publish (the real CLI)', () => {
  it('reports what it uploaded and skipped', async () => {
    const result = await runCli(['publish', origin, '--bucket', MEDIA, '--key-bucket', KEYS, '--endpoint', endpoint], credentials);
    expect(result).toMatchObject({ code: 0, stdout: 'uploaded 0 objects (0.0 MB), skipped 18 unchanged, ignored 1 unknown files\n' });
  });

  it('says when the folder is not an origin folder', async () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const result = await runCli(['publish', empty, '--bucket', MEDIA, '--key-bucket', KEYS, '--endpoint', endpoint], credentials);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/holds neither videos\/ nor keys\//);
  });

  it('says when the bucket does not exist', async () => {
    const result = await runCli(
      ['publish', origin, '--bucket', 'no-such-bucket', '--key-bucket', KEYS, '--endpoint', endpoint],
      credentials,
    );
    expect(result.stderr).toBe('keygate: bucket no-such-bucket does not exist: check --bucket and --region\n');
  });

  it('says which flag to add when the folder holds keys and no key bucket is given', async () => {
    const result = await runCli(['publish', origin, '--bucket', MEDIA, '--endpoint', endpoint], credentials);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `keygate: ${origin} holds keys/ and no key bucket was given: pass --key-bucket (stack output KeyBucketName)\n`,
    );
  });
});

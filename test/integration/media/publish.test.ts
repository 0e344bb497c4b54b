import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishOrigin, s3ClientFor } from '../../../lib/media/publish';
import { runCli } from '../../fixtures/run-cli';

// s3rver ships no types.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const BUCKET = 'keygate-media';
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

async function listKeys(): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (page.Contents ?? []).map((o) => o.Key as string).sort();
}

beforeAll(async () => {
  Object.assign(process.env, credentials);
  root = mkdtempSync(join(tmpdir(), 'keygate-publish-'));
  origin = join(root, 'origin');
  makeOrigin(origin);
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(root, 's3'), configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = s3ClientFor({ bucket: BUCKET, region: 'us-east-1', endpoint });
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
      publishOrigin(origin, client, BUCKET, {
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

    const resumed = await publishOrigin(origin, client, BUCKET, { concurrency: 4 });
    expect(resumed.skipped.sort()).toEqual(afterInterrupt);
    expect(resumed.uploaded.length + resumed.skipped.length).toBe(18);
    expect(resumed.ignored).toEqual(['videos/demo/notes.txt']);
  });

  it('lands every object with its content type and cache policy', async () => {
    expect(await listKeys()).toHaveLength(18);
    const head = (Key: string) => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
    expect(await head('videos/demo/180p/seg0.ts')).toMatchObject({
      ContentType: 'video/mp2t',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('videos/demo/master.m3u8')).toMatchObject({
      ContentType: 'application/vnd.apple.mpegurl',
      CacheControl: 'public, max-age=60',
    });
    expect(await head('keys/demo/0.key')).toMatchObject({ ContentType: 'application/octet-stream', CacheControl: 'private, no-store' });
    const body = await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'keys/demo/2.key' }))).Body?.transformToByteArray();
    expect(Buffer.from(body as Uint8Array).equals(Buffer.alloc(16, 2))).toBe(true);
  });

  it('uploads nothing on a second run, and only the changed file after an edit', async () => {
    expect((await publishOrigin(origin, client, BUCKET)).uploaded).toEqual([]);
    writeFileSync(join(origin, 'videos', 'demo', 'master.m3u8'), '#EXTM3U\n#EXT-X-VERSION:3\n');
    expect((await publishOrigin(origin, client, BUCKET)).uploaded).toEqual(['videos/demo/master.m3u8']);
  });
});

describe('keygate publish (the real CLI)', () => {
  it('reports what it uploaded and skipped', async () => {
    const result = await runCli(['publish', origin, '--bucket', BUCKET, '--endpoint', endpoint], credentials);
    expect(result).toMatchObject({ code: 0, stdout: 'uploaded 0 objects (0.0 MB), skipped 18 unchanged, ignored 1 unknown files\n' });
  });

  it('says when the folder is not an origin folder', async () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const result = await runCli(['publish', empty, '--bucket', BUCKET, '--endpoint', endpoint], credentials);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/holds neither videos\/ nor keys\//);
  });

  it('says when the bucket does not exist', async () => {
    const result = await runCli(['publish', origin, '--bucket', 'no-such-bucket', '--endpoint', endpoint], credentials);
    expect(result.stderr).toBe('keygate: bucket no-such-bucket does not exist: check --bucket and --region\n');
  });
});

import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { createKeyProvider, type KeyProvider } from '../../../lib/live/key-provider';
import { startKeyProviderServer, type KeyProviderServer } from '../../../lib/live/key-provider-server';
import type { LiveKeyStore } from '../../../lib/live/live-key-store';
import { S3LiveKeyStore } from '../../../lib/live/s3-live-key-store';
import { KeyProviderRefusedError } from '../../../lib/live/speke-client-errors';
import { SpekeKeySource } from '../../../lib/live/speke-key-source';
import { KEY_CACHE_CONTROL } from '../../../lib/media/origin-layout';
import { startS3rverKeyBucket, type S3rverKeyBucket } from '../../fixtures/s3rver-key-bucket';
import { answerOf, spekeFixture } from '../../fixtures/speke-answers';

const BASE = 'https://d111.cloudfront.net';
let keyBucket: S3rverKeyBucket;
let client: S3Client;
let server: KeyProviderServer;
/** Every store write and every answer, in the order they happened, with what the bucket held at answer time. */
const events: string[] = [];
const objectBytes = (key: string) => keyBucket.objectBytes(key);
const listKeys = (prefix: string) => keyBucket.listKeys(prefix);

beforeAll(async () => {
  keyBucket = await startS3rverKeyBucket();
  client = keyBucket.client;
  const s3Store = new S3LiveKeyStore(client, keyBucket.bucket);
  const recordingStore: LiveKeyStore = {
    storeKeyOnce: async (channel, name, key) => {
      const stored = await s3Store.storeKeyOnce(channel, name, key);
      events.push(`stored ${channel}/${name}`);
      return stored;
    },
  };
  const provider = createKeyProvider(
    {
      store: recordingStore,
      channels: fixedChannelRegistry(['concert', 'race']),
      randomBytes: (n) => randomBytes(n),
      now: () => Date.now(),
    },
    { keyUriBase: BASE },
  );
  // At answer time, before the answer leaves: read the bucket for each key the answer hands out.
  const checkedProvider: KeyProvider = async (request) => {
    const response = await provider(request);
    if (response.status === 200) {
      for (const system of answerOf(response.body).systems) {
        const objectKey = new URL(/URI="([^"]+)"/.exec(system.media)?.[1] ?? 'x:/').pathname.slice(1);
        const inBucket = await objectBytes(objectKey);
        const key = answerOf(response.body).keys.find((k) => k.kid === system.kid)?.key;
        events.push(
          `answered ${objectKey.split('/').slice(1, 3).join('/').replace('.key', '')} ${inBucket?.equals(key ?? Buffer.alloc(0)) ? 'held' : 'MISSING'}`,
        );
      }
    }
    return response;
  };
  server = await startKeyProviderServer(checkedProvider);
});

afterAll(async () => {
  await server?.close();
  await keyBucket?.close();
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/xml', 'x-speke-version': '2.0' }) =>
  fetch(server.url, { method: 'POST', headers, body });

describe('the key provider over HTTP, with the key bucket on S3 (s3rver)', () => {
  it('stores each key in the key bucket, with publish key headers, before it answers', async () => {
    const response = await post(spekeFixture('v2-live-request-two-periods.xml'));
    expect(response.status).toBe(200);
    expect(events.slice(-4).sort()).toEqual([
      'answered concert/28512 held',
      'answered concert/28513 held',
      'stored concert/28512',
      'stored concert/28513',
    ]);
    expect(
      events
        .slice(-4)
        .slice(0, 2)
        .every((e) => e.startsWith('stored')),
    ).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: keyBucket.bucket, Key: 'keys/concert/28512.key' }));
    expect(head).toMatchObject({ CacheControl: KEY_CACHE_CONTROL, ContentType: 'application/octet-stream', ContentLength: 16 });
  });

  it('round-trips keys to SpekeKeySource: the same key for a period from any client, the one in the bucket', async () => {
    const packager = new SpekeKeySource({ endpoint: server.url });
    const key = await packager.keyFor('concert', 90);
    expect(key).toMatchObject({ period: 90, name: '90', uri: `${BASE}/keys/concert/90.key` });
    expect(Buffer.from(key.key)).toEqual(await objectBytes('keys/concert/90.key'));
    const restarted = await new SpekeKeySource({ endpoint: server.url }).keyFor('concert', 90);
    expect(restarted.key).toEqual(key.key);
    expect(restarted.iv).toEqual(key.iv);
    expect((await packager.keyFor('concert', 91)).key).not.toEqual(key.key);
  });

  it('answers concurrent first requests for a period with one key, kept by the conditional write', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => new SpekeKeySource({ endpoint: server.url }).keyFor('race', 1)));
    const held = await objectBytes('keys/race/1.key');
    for (const { key } of keys) expect(Buffer.from(key)).toEqual(held);
  });

  it('is as strict as S3 about the conditional write it relies on', async () => {
    const put = () =>
      client.send(new PutObjectCommand({ Bucket: keyBucket.bucket, Key: 'keys/race/2.key', Body: Buffer.alloc(16), IfNoneMatch: '*' }));
    await put();
    await expect(put()).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it('refuses a 1 MB body and an entity expansion without storing anything', async () => {
    const v2 = spekeFixture('v2-live-request.xml').replaceAll('concert', 'race');
    const huge = await post(v2 + `<!--${'x'.repeat(1024 * 1024)}-->`);
    const entities = await post(v2.replace('<cpix:CPIX ', '<!DOCTYPE cpix:CPIX [<!ENTITY a "aaaa">]><cpix:CPIX '));
    expect([huge.status, entities.status]).toEqual([413, 400]);
    expect(await listKeys('keys/race/28511')).toEqual([]);
  });

  it('refuses an unknown channel to SpekeKeySource, which says so', async () => {
    await expect(new SpekeKeySource({ endpoint: server.url }).keyFor('stranger', 1)).rejects.toThrow(KeyProviderRefusedError);
    expect(await listKeys('keys/stranger/')).toEqual([]);
  });
});

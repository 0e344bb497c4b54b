import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveChannel } from '../../../lib/live/live-channel';
import { parseLiveInput } from '../../../lib/live/live-input';
import { LocalLiveKeySource } from '../../fixtures/local-live-key-source';
import { S3LiveOrigin } from '../../../lib/live/s3-live-origin';
import { s3ClientFor } from '../../../lib/media/publish';
import { decryptSegment, isClearTransportStream } from '../../../lib/media/segment-crypto';
import { startHttpFaultProxy, type HttpFaultProxy } from '../../fixtures/http-fault-proxy';
import { startLiveSourceRelay, type LiveSourceRelay } from '../../fixtures/live-source-relay';
import { AuditingOrigin } from '../../fixtures/live-origins';

// s3rver ships no types.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

// A live channel pulled from a contribution feed (an encoder behind an HTTP relay) into s3rver behind
// a proxy that can fail requests: the input is really killed, S3 really answers 503. Every playlist
// version is checked, as it is put, against what the buckets hold at that moment.
const MEDIA = 'live-media';
const KEYS = 'live-keys';
const CHANNEL = 'news';
let root: string;
let s3: InstanceType<typeof S3rver>;
let direct: S3Client;
let proxied: S3Client;
let proxy: HttpFaultProxy;
let relay: LiveSourceRelay;
/** Channels a failed test left running: stopped before the servers close. */
const running: LiveChannel[] = [];
/** Real time: a minute of live video through the faults below. */
const TEST_TIMEOUT_MS = 240_000;

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  root = mkdtempSync(join(tmpdir(), 'keygate-live-faults-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(root, 's3'),
    configureBuckets: [{ name: MEDIA }, { name: KEYS }],
  });
  const { port } = await s3.run();
  direct = s3ClientFor({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
  proxy = await startHttpFaultProxy(`http://127.0.0.1:${port}`);
  proxied = s3ClientFor({ region: 'us-east-1', endpoint: proxy.endpoint });
  relay = await startLiveSourceRelay();
  relay.startSource();
});

afterAll(async () => {
  for (const channel of running) await channel.stop().catch(() => {});
  await relay?.close();
  proxied?.destroy();
  direct?.destroy();
  await proxy?.close();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

const exists = async (objectKey: string) => {
  try {
    await direct.send(new HeadObjectCommand({ Bucket: objectKey.startsWith('keys/') ? KEYS : MEDIA, Key: objectKey }));
    return true;
  } catch {
    return false;
  }
};
const read = async (bucket: string, key: string) =>
  Buffer.from(await (await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const until = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

async function startChannel(audited: AuditingOrigin): Promise<LiveChannel> {
  const channel = await LiveChannel.start({
    channel: CHANNEL,
    input: parseLiveInput(relay.url),
    ladder: ['180p', '144p'],
    segmentSeconds: 2,
    rotateEvery: 2,
    windowSegments: 4,
    origin: audited,
    keys: new LocalLiveKeySource(audited),
    workDir: join(root, `work-${Date.now()}`),
    reconnect: { firstDelayMs: 500, maxDelayMs: 2000 },
    storeRetry: { firstDelayMs: 100, maxDelayMs: 1000 },
  });
  running.push(channel);
  return channel;
}

describe('a live channel under faults: an input drop, a burst of S3 errors, a packager restart', () => {
  it(
    'keeps the channel going, and never publishes a playlist naming a missing key or segment',
    async () => {
      const audited = new AuditingOrigin(await S3LiveOrigin.open(proxied, { media: MEDIA, keys: KEYS }), exists);
      const live = await startChannel(audited);
      await until('three segments', () => live.status().segments >= 3);

      // The input drops: the encoder feeding the relay is killed, and stays down for a few reconnect attempts.
      relay.dropSource();
      await until('the channel to notice the drop', () => live.status().encoderRestarts >= 2);
      relay.startSource();
      const afterDrop = live.status().segments;
      await until('three segments after the input came back', () => live.status().segments >= afterDrop + 3);

      // S3 sheds load: a burst of 503s on every kind of request the packager makes.
      proxy.failNext(25);
      await until('the burst to be spent', () => proxy.failed >= 25);
      const afterBurst = live.status().segments;
      await until('three segments after the burst', () => live.status().segments >= afterBurst + 3);
      await live.stop();

      const status = live.status();
      expect(status.storeRetries).toBeGreaterThan(0);
      expect(audited.dangling).toEqual([]);
      expect(audited.playlistVersions).toBeGreaterThan(2 * status.segments);
      const playlist = (await read(MEDIA, `videos/${CHANNEL}/180p/index.m3u8`)).toString();
      expect(playlist).toMatch(/#EXT-X-ENDLIST\n$/);
      const master = (await read(MEDIA, `videos/${CHANNEL}/master.m3u8`)).toString();
      expect(master).toContain('180p/index.m3u8');

      // The drop shows as a discontinuity in the stored history: every segment since is there, encrypted, and decrypts.
      const lastSequence = Number(/(\d+)\.ts\n#EXT-X-ENDLIST/.exec(playlist)?.[1]);
      expect(lastSequence + 1).toBeGreaterThanOrEqual(status.segments);
      const [, keyName, iv] = /URI="[^"]*\/(\d+)\.key",IV=0x([0-9a-f]{32})\n#EXTINF:[^\n]*\n(\d+)\.ts/.exec(playlist) ?? [];
      const firstListed = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]);
      const clear = decryptSegment(
        await read(MEDIA, `videos/${CHANNEL}/180p/${firstListed}.ts`),
        await read(KEYS, `keys/${CHANNEL}/${keyName}.key`),
        Buffer.from(iv, 'hex'),
      );
      expect(isClearTransportStream(clear)).toBe(true);
      expect(status.encoderRestarts).toBeGreaterThanOrEqual(2);

      // A restarted packager goes on with new key periods: a key URI never names two keys.
      const state = JSON.parse((await read(KEYS, `live-state/${CHANNEL}.json`)).toString()) as { nextPeriod: number };
      const again = await startChannel(audited);
      await until('a segment from the restarted packager', () => again.status().segments >= 1);
      await again.stop();
      const restarted = (await read(MEDIA, `videos/${CHANNEL}/180p/index.m3u8`)).toString();
      const periods = [...restarted.matchAll(/\/(\d+)\.key"/g)].map((m) => Number(m[1]));
      expect(Math.min(...periods)).toBeGreaterThanOrEqual(state.nextPeriod);
      expect(audited.dangling).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

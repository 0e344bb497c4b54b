import { randomBytes } from 'node:crypto';
import { LocalLiveKeySource } from '../../fixtures/local-live-key-source';
import type { LiveKey, LiveKeySource } from '../../../lib/live/live-key-source';
import { LivePackager, type EncodedSegment, type LivePackagerOptions } from '../../../lib/live/live-packager';
import { decryptSegment, isClearTransportStream } from '../../../lib/media/segment-crypto';
import { AuditingOrigin, MemoryLiveOrigin, objectsNamedBy } from '../../fixtures/live-origins';

const RENDITIONS = [
  { name: '180p', width: 320, height: 180, bandwidth: 400_000 },
  { name: '144p', width: 256, height: 144, bandwidth: 250_000 },
];

/** A clear MPEG-TS-looking segment: sync bytes every 188 bytes. */
function clearSegment(seed: number): Buffer {
  const data = Buffer.alloc(188 * 4, seed);
  for (let offset = 0; offset < data.length; offset += 188) data[offset] = 0x47;
  return data;
}

function world(overrides: Partial<LivePackagerOptions> = {}, origin = new MemoryLiveOrigin()) {
  const audited = new AuditingOrigin(origin, async (key) => origin.objects.has(key));
  const keys = new LocalLiveKeySource(audited);
  const options: LivePackagerOptions = {
    channel: 'news',
    renditions: RENDITIONS,
    codecs: 'avc1.640028,mp4a.40.2',
    segmentSeconds: 2,
    rotateEvery: 3,
    windowSegments: 4,
    origin: audited,
    keys,
    clock: { now: () => 1_000_000, sleep: async () => {} },
    ...overrides,
  };
  return { origin, audited, keys, options };
}

/** Feeds `count` slots of encoder run `run` (every rendition), starting at index `from`. */
function feed(packager: LivePackager, run: number, count: number, from = 0): void {
  for (let index = from; index < from + count; index++)
    for (const r of RENDITIONS)
      packager.accept({ run, index, rendition: r.name, data: clearSegment(index), duration: 2, completedAt: 999_000 } as EncodedSegment);
}

const playlist = (origin: MemoryLiveOrigin, rendition = '180p') => origin.text(`videos/news/${rendition}/index.m3u8`);
const keyUris = (text: string) => [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
const segmentUris = (text: string) => text.split('\n').filter((line) => line.endsWith('.ts'));

describe('LivePackager', () => {
  it('never publishes a playlist version that names a key or segment not stored yet', async () => {
    const { origin, audited, options } = world();
    const packager = await LivePackager.open(options);
    feed(packager, 0, 10);
    await packager.finish();
    expect(audited.playlistVersions).toBeGreaterThan(10);
    expect(audited.dangling).toEqual([]);
    // And the order is visible in the puts: the first key before the first segment before the first playlist.
    const first = (suffix: string) => origin.puts.findIndex((key) => key.endsWith(suffix));
    expect(first('.key')).toBeLessThan(first('.ts'));
    expect(first('.ts')).toBeLessThan(first('index.m3u8'));
    expect(first('index.m3u8')).toBeLessThan(first('master.m3u8'));
  });

  it('changes the key every rotateEvery segments, naming each key after its period, relative to the playlist', async () => {
    const { origin, options } = world({ windowSegments: 10 });
    const packager = await LivePackager.open(options);
    feed(packager, 0, 7);
    await packager.drained();
    expect(keyUris(playlist(origin))).toEqual(['../../../keys/news/0.key', '../../../keys/news/1.key', '../../../keys/news/2.key']);
    expect(objectsNamedBy('videos/news/180p/index.m3u8', playlist(origin)).filter((k) => k.endsWith('.key'))).toEqual([
      'keys/news/0.key',
      'keys/news/1.key',
      'keys/news/2.key',
    ]);
    expect(packager.status).toMatchObject({ segments: 7, period: 2, keyName: '2' });
  });

  it('encrypts each segment with AES-128 under its period’s key and the IV the playlist names', async () => {
    const { origin, options } = world();
    const packager = await LivePackager.open(options);
    feed(packager, 0, 4);
    await packager.drained();
    const text = playlist(origin);
    const [, uri, iv] = /#EXT-X-KEY:METHOD=AES-128,URI="[^"]*\/(\d+\.key)",IV=0x([0-9a-f]{32})\n#EXTINF:[^\n]*\n3\.ts/.exec(text) ?? [];
    expect(uri).toBe('1.key');
    const key = origin.objects.get('keys/news/1.key')!.body;
    const segment = origin.objects.get('videos/news/144p/3.ts')!.body;
    expect(isClearTransportStream(Buffer.from(segment))).toBe(false);
    expect(decryptSegment(Buffer.from(segment), Buffer.from(key), Buffer.from(iv, 'hex'))).toEqual(clearSegment(3));
  });

  it('lists only the last windowSegments segments, with the media sequence of the first and the key before it', async () => {
    const { origin, options } = world({ windowSegments: 4 });
    const packager = await LivePackager.open(options);
    feed(packager, 0, 8);
    await packager.drained();
    const text = playlist(origin);
    expect(segmentUris(text)).toEqual(['4.ts', '5.ts', '6.ts', '7.ts']);
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:4\n');
    // Segment 4 is in period 1 (segments 3–5): a late joiner needs no earlier key.
    expect(keyUris(text)).toEqual(['../../../keys/news/1.key', '../../../keys/news/2.key']);
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('serves playlists with a one-second Cache-Control and segments and keys with their long-lived ones', async () => {
    const { origin, options } = world();
    const packager = await LivePackager.open(options);
    feed(packager, 0, 1);
    await packager.drained();
    expect(origin.objects.get('videos/news/180p/index.m3u8')?.cacheControl).toBe('public, max-age=1');
    expect(origin.objects.get('videos/news/180p/0.ts')?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(origin.objects.get('keys/news/0.key')?.cacheControl).toBe('max-age=0, s-maxage=31536000');
  });

  it('ends every playlist with EXT-X-ENDLIST when the event finishes', async () => {
    const { origin, options } = world();
    const packager = await LivePackager.open(options);
    feed(packager, 0, 2);
    await packager.finish();
    for (const r of RENDITIONS) expect(playlist(origin, r.name)).toMatch(/#EXT-X-ENDLIST\n$/);
  });

  it('continues key periods and sequence numbers after a restart, and never reuses one', async () => {
    const origin = new MemoryLiveOrigin();
    const first = await LivePackager.open(world({}, origin).options);
    feed(first, 0, 4); // periods 0 (segments 0–2) and 1 (3, reserved up to 5)
    await first.finish();
    const firstKey = Buffer.from(origin.objects.get('keys/news/1.key')!.body);
    const second = await LivePackager.open(world({}, origin).options);
    feed(second, 0, 1);
    await second.finish();
    const text = playlist(origin);
    expect(keyUris(text)).toEqual(['../../../keys/news/2.key']);
    expect(segmentUris(text)).toEqual(['6.ts']);
    expect(text).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(Buffer.from(origin.objects.get('keys/news/1.key')!.body)).toEqual(firstKey);
  });

  it('saves the channel state before it asks for a period’s key', async () => {
    const origin = new MemoryLiveOrigin();
    const asked: string[] = [];
    const keys: LiveKeySource = {
      keyFor: async (channel, period) => {
        asked.push(`${period} after state ${origin.states.get(channel)?.trim()}`);
        return { period, name: String(period), key: randomBytes(16), iv: randomBytes(16), uri: `/keys/${channel}/${period}.key` };
      },
    };
    const packager = await LivePackager.open(world({ keys }, origin).options);
    feed(packager, 0, 4);
    await packager.drained();
    expect(asked).toEqual([
      '0 after state {"nextPeriod":1,"nextSequence":3,"discontinuitySequence":0}',
      '1 after state {"nextPeriod":2,"nextSequence":6,"discontinuitySequence":0}',
    ]);
  });

  it('retries a failing store with backoff and publishes everything, in order, once it works again', async () => {
    const origin = new MemoryLiveOrigin();
    const { audited, options } = world({}, origin);
    const delays: number[] = [];
    const packager = await LivePackager.open({ ...options, clock: { now: () => 0, sleep: async (ms) => void delays.push(ms) } });
    origin.failNext = 5;
    feed(packager, 0, 5);
    await packager.finish();
    expect(packager.status).toMatchObject({ segments: 5, storeRetries: 5 });
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
    expect(audited.dangling).toEqual([]);
    expect(segmentUris(playlist(origin))).toEqual(['1.ts', '2.ts', '3.ts', '4.ts']);
  });

  it('marks the first segment of a new encoder run as a discontinuity and drops the slot the old run left incomplete', async () => {
    const { origin, options } = world({ windowSegments: 6 });
    const packager = await LivePackager.open(options);
    feed(packager, 0, 2);
    packager.accept({ run: 0, index: 2, rendition: '180p', data: clearSegment(2), duration: 1, completedAt: 0 });
    packager.endRun(0);
    feed(packager, 1, 2);
    await packager.drained();
    expect(packager.status.droppedSlots).toBe(1);
    expect(playlist(origin)).toMatch(/1\.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2\.000,\n2\.ts\n/);
  });

  it('refuses a key whose URI is not the channel’s key path, and publishes nothing after it', async () => {
    const keys: LiveKeySource = {
      keyFor: async (_channel, period): Promise<LiveKey> => ({
        period,
        name: String(period),
        key: randomBytes(16),
        iv: randomBytes(16),
        uri: `https://keys.example.com/keys/other/${period}.key`,
      }),
    };
    const { origin, options } = world({ keys });
    const packager = await LivePackager.open(options);
    feed(packager, 0, 2);
    await expect(packager.finish()).rejects.toThrow(
      /URI https:\/\/keys.example.com\/keys\/other\/0.key, not Keygate's \/keys\/news\/0.key/,
    );
    expect([...origin.objects.keys()].filter((key) => key.startsWith('videos/'))).toEqual([]);
  });

  it('refuses a stored state it cannot read rather than guess which periods were used', async () => {
    const origin = new MemoryLiveOrigin();
    origin.states.set('news', '{"nextPeriod":"7"}');
    await expect(LivePackager.open(world({}, origin).options)).rejects.toThrow(/live-state\/news.json must hold whole numbers/);
  });
});

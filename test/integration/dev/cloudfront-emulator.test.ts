import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResultResponse,
} from '../../../lambda/key-authorizer/http/cloudfront-event';
import { rawHttpGet } from '../../../lib/admin/raw-http';
import { createCloudFrontEmulator, viewerRequestEvent } from '../../../lib/dev/cloudfront-emulator';
import { publishedBuckets } from '../../../lib/dev/s3-bucket-model';
import { KEY_CACHE_CONTROL, objectPolicyOf } from '../../../lib/media/origin-layout';
import { fetchEmulatorStats } from '../../fixtures/emulator-stats';

// The emulator's own contract, with a scripted edge function standing in for the bundle (the e2e
// suite runs the real one): the event it builds, how it honours each result, and what it counts.
const KEY_BYTES = Buffer.from('0123456789abcdef');
const PLAYER_ORIGIN = 'https://player.example.com';

let originDir: string;
let baseUrl: string;
let close: () => Promise<void>;
let received: CloudFrontRequestEvent[] = [];
let answer: (event: CloudFrontRequestEvent) => CloudFrontRequest | CloudFrontResultResponse;

const denial = (status: string, reason: string): CloudFrontResultResponse => ({
  status,
  statusDescription: 'Denied',
  headers: {
    'x-keygate-reason': [{ key: 'X-Keygate-Reason', value: reason }],
    'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
  },
  body: `${reason}\n`,
});
const passThrough = (event: CloudFrontRequestEvent): CloudFrontRequest => event.Records[0].cf.request;

beforeAll(async () => {
  originDir = mkdtempSync(join(tmpdir(), 'keygate-emulator-'));
  mkdirSync(join(originDir, 'videos', 'movie'), { recursive: true });
  mkdirSync(join(originDir, 'keys', 'movie'), { recursive: true });
  writeFileSync(join(originDir, 'videos', 'movie', 'master.m3u8'), '#EXTM3U\n');
  writeFileSync(join(originDir, 'videos', 'movie', 'seg00000.ts'), Buffer.alloc(188, 0x47));
  writeFileSync(join(originDir, 'keys', 'movie', '0.key'), KEY_BYTES);
  const emulator = createCloudFrontEmulator({
    mediaBucket: publishedBuckets(originDir).media,
    keyBucket: publishedBuckets(originDir).keys,
    extraRoutes: () => false,
    allowedOrigins: [PLAYER_ORIGIN],
    handler: async (event) => {
      received.push(event);
      return answer(event);
    },
  });
  await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => emulator.server.close(() => resolve()));
});
afterAll(async () => {
  await close();
  rmSync(originDir, { recursive: true, force: true });
});
beforeEach(async () => {
  received = [];
  answer = passThrough;
  await fetch(`${baseUrl}/__keygate/stats`, { method: 'POST' });
});

/** A request sent exactly as written (fetch would normalize the path), with raw header names. */
const rawGet = (path: string, headers: Record<string, string> = {}) => rawHttpGet()(new URL(baseUrl), path, headers);
const stats = () => fetchEmulatorStats(baseUrl);

describe('the viewer-request event', () => {
  it('has the Lambda@Edge shape: config, raw uri, querystring without "?", lower-cased {key, value} header arrays', () => {
    const event = viewerRequestEvent({
      rawUrl: '/keys/movie/0.key?token=a%20b&x=1',
      method: 'GET',
      rawHeaders: ['Host', 'video.example.com', 'Cookie', 'a=1', 'cookie', 'b=2', 'Authorization', 'Bearer t'],
      clientIp: '127.0.0.1',
      host: 'video.example.com',
      requestId: 'r-1',
    });
    expect(event.Records[0].cf).toEqual({
      config: { distributionDomainName: 'video.example.com', distributionId: 'KEYGATEDEV', eventType: 'viewer-request', requestId: 'r-1' },
      request: {
        clientIp: '127.0.0.1',
        method: 'GET',
        uri: '/keys/movie/0.key',
        querystring: 'token=a%20b&x=1',
        headers: {
          host: [{ key: 'Host', value: 'video.example.com' }],
          cookie: [
            { key: 'Cookie', value: 'a=1' },
            { key: 'cookie', value: 'b=2' },
          ],
          authorization: [{ key: 'Authorization', value: 'Bearer t' }],
        },
      },
    });
  });

  it('carries the uri as sent, percent-escapes and all, and an empty querystring when there is none', () => {
    const event = viewerRequestEvent({
      rawUrl: '/keys/mo%76ie/0.key',
      method: 'HEAD',
      rawHeaders: [],
      clientIp: '::1',
      host: 'h',
      requestId: 'r',
    });
    expect(event.Records[0].cf.request).toMatchObject({ uri: '/keys/mo%76ie/0.key', querystring: '', method: 'HEAD' });
  });
});

describe('the /keys/* behavior', () => {
  it('sends the edge function the request as received from the viewer', async () => {
    await rawGet('/keys/movie/0.key?token=abc', { 'X-Custom': 'yes' });
    expect(received).toHaveLength(1);
    const { request: seen } = received[0].Records[0].cf;
    expect(seen).toMatchObject({ uri: '/keys/movie/0.key', querystring: 'token=abc', method: 'GET', clientIp: '127.0.0.1' });
    expect(seen.headers['x-custom']).toEqual([{ key: 'X-Custom', value: 'yes' }]);
  });

  it('returns a response the edge function generated, with its status, headers and body', async () => {
    answer = () => denial('403', 'not-entitled');
    const res = await rawGet('/keys/movie/0.key');
    expect(res.status).toBe(403);
    expect(res.headers['x-keygate-reason']).toBe('not-entitled');
    expect(res.body.toString()).toBe('not-entitled\n');
  });

  it('serves the key of the uri the edge function returned, with the keys response-headers policy', async () => {
    answer = (event) => ({ ...passThrough(event), uri: '/keys/movie/0.key', querystring: '' });
    const res = await rawGet('/keys/other/9.key', { origin: PLAYER_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(KEY_BYTES);
    expect(res.headers).toMatchObject({
      'cache-control': 'private, no-store',
      'access-control-allow-origin': PLAYER_ORIGIN,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-keygate-reason, retry-after',
    });
  });

  it('tells viewers private, no-store although the key object lets CloudFront keep it', async () => {
    // The key bucket answers with what `keygate publish` wrote (s-maxage for the edge cache) ...
    expect(objectPolicyOf('keys/movie/0.key')?.cacheControl).toBe(KEY_CACHE_CONTROL);
    expect(KEY_CACHE_CONTROL).toMatch(/s-maxage=\d+/);
    // ... and the response headers policy replaces it towards the viewer, as CloudFront does.
    const res = await rawGet('/keys/movie/0.key');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('answers a missing key 404 from the key bucket, which CloudFront may list', async () => {
    answer = (event) => ({ ...passThrough(event), uri: '/keys/movie/9.key' });
    const res = await rawGet('/keys/movie/9.key');
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('<Code>NoSuchKey</Code>');
  });

  it('grants no CORS to an origin that is not configured', async () => {
    const res = await rawGet('/keys/movie/0.key', { origin: 'https://elsewhere.example.com' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 503 and never a key when the edge function throws', async () => {
    answer = () => {
      throw new Error('boom');
    };
    const res = await rawGet('/keys/movie/0.key');
    expect(res.status).toBe(503);
    expect(res.body.includes(KEY_BYTES)).toBe(false);
  });
});

describe('the default behavior (the media bucket)', () => {
  it('serves playlists and segments with their content types and never calls the edge function', async () => {
    const playlist = await rawGet('/videos/movie/master.m3u8');
    const segment = await rawGet('/videos/movie/seg00000.ts');
    expect(playlist.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(segment.headers['content-type']).toBe('video/mp2t');
    expect(received).toHaveLength(0);
  });

  // Dot segments are removed before matching, so the last two reach the keys behavior (whose bucket,
  // listable, answers 404 for the raw path's key); the others stay on the media bucket (403).
  it.each([
    ['/videos/..%2fkeys/movie/0.key', 403],
    ['/videos/movie%2f..%2f..%2fkeys/movie/0.key', 403],
    ['/keys%2Fmovie%2F0.key', 403],
    ['/videos/%2e%2e/keys/movie/0.key', 404],
    ['/videos/../keys/movie/0.key', 404],
  ])('never hands out a key through a path that climbs out of /videos/ or hides the keys behavior: %s', async (path, status) => {
    const res = await rawGet(path);
    expect(res.status).toBe(status);
    expect(res.body.includes(KEY_BYTES)).toBe(false);
  });

  it('answers a missing object as S3 behind Origin Access Control does: 403 AccessDenied', async () => {
    const res = await rawGet('/videos/movie/nothing.ts');
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain('<Code>AccessDenied</Code>');
    expect(received).toHaveLength(0);
  });

  it('refuses a malformed percent-escape with 400 before any behavior runs', async () => {
    expect((await rawGet('/keys/movie/0.key%zz')).status).toBe(400);
    expect(received).toHaveLength(0);
  });
});

describe('the path-token behaviors', () => {
  const TOKEN = 'aaa.bbb.ccc';

  it('send /t/<token>/keys/… to the edge function as received, and serve the key path it returns from the key bucket', async () => {
    answer = (event) => ({ ...passThrough(event), uri: '/keys/movie/0.key' });
    const res = await rawGet(`/t/${TOKEN}/keys/movie/0.key`);
    expect(received[0].Records[0].cf.request.uri).toBe(`/t/${TOKEN}/keys/movie/0.key`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(KEY_BYTES);
    expect((await stats()).keyRequests).toEqual([{ uri: `/t/${TOKEN}/keys/movie/0.key`, status: 200 }]);
  });

  it('strip the token from media with the CloudFront Function, so every token shares one cache entry', async () => {
    for (const token of [TOKEN, 'ddd.eee.fff']) {
      const res = await rawGet(`/t/${token}/videos/movie/seg00000.ts`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('video/mp2t');
    }
    expect(received).toHaveLength(0);
    expect(await stats()).toMatchObject({ edgeInvocations: 0, functionInvocations: 2, mediaCacheKeys: { '/videos/movie/seg00000.ts': 2 } });
  });

  it('never hand out a key through the path-token media behavior', async () => {
    for (const path of [
      `/t/${TOKEN}/keys%2Fmovie%2F0.key`,
      `/t/${TOKEN}/videos/..%2F..%2Fkeys/movie/0.key`,
      `/t/${TOKEN}/videos%2F..%2Fkeys%2Fmovie%2F0.key`,
    ]) {
      const res = await rawGet(path);
      expect(res.body.includes(KEY_BYTES)).toBe(false);
    }
    expect(received).toHaveLength(0);
  });
});

describe('the stats endpoint', () => {
  it('counts requests per behavior, authorizer invocations only for keys, and media requests carrying Authorization', async () => {
    await rawGet('/videos/movie/master.m3u8', { authorization: 'Bearer leaked' });
    await rawGet('/videos/movie/seg00000.ts');
    await rawGet('/keys/movie/0.key');
    expect(await stats()).toEqual({
      requests: { media: 2, keys: 1, other: 1 },
      edgeInvocations: 1,
      functionInvocations: 0,
      keyRequests: [{ uri: '/keys/movie/0.key', status: 200 }],
      mediaRequestsWithAuthorization: 1,
      mediaCacheKeys: { '/videos/movie/master.m3u8': 1, '/videos/movie/seg00000.ts': 1 },
    });
  });

  it('starts counting again from zero after a POST', async () => {
    await rawGet('/keys/movie/0.key');
    await fetch(`${baseUrl}/__keygate/stats`, { method: 'POST' });
    expect((await stats()).edgeInvocations).toBe(0);
  });
});

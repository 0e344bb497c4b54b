import { ffmpegPlay } from '../../../bench/suites/native-playback';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { fetchEmulatorStats } from '../../fixtures/emulator-stats';
import { runCli } from '../../fixtures/run-cli';

// ffmpeg is a real HLS client with no JavaScript: it can carry nothing but the URL it is given, as
// Safari's, iOS's and AirPlay's own players. Given a path-token URL, every relative URI of the
// playlists keeps the token, so each key request carries it.
let dev: DevProcess;
beforeAll(async () => {
  dev = await startDevProcess();
});
afterAll(async () => {
  await dev?.stop();
});

const master = (videoId = 'demo') => new URL(`/videos/${videoId}/master.m3u8`, dev.ready.url).href;
const resetStats = () => fetch(new URL('/__keygate/stats', dev.ready.url), { method: 'POST' });
const stats = () => fetchEmulatorStats(dev.ready.url);

/** `keygate token --path-url`: the real CLI prints the URL a native player is given. */
async function pathUrl(uid: string, mediaUrl: string, ...extra: string[]): Promise<string> {
  const { ready } = dev;
  const args = ['token', uid, '--key', ready.signingKey, '--issuer', ready.issuer, '--audience', ready.audience, '--path-url', mediaUrl];
  const result = await runCli([...args, ...extra]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout.trim();
}

const tokenOf = (url: string) => new URL(url).pathname.split('/')[2];

describe('a native player given a path-token URL (ffmpeg as the stand-in)', () => {
  it('plays the demo to its end, every key request carrying the token and answered 200', async () => {
    const url = await pathUrl('alice', master());
    expect(url).toMatch(new RegExp(`^${dev.ready.url}t/[\\w-]+\\.[\\w-]+\\.[\\w-]+/videos/demo/master\\.m3u8$`));
    await resetStats();
    const played = await ffmpegPlay(url);
    expect(played).toEqual({ code: 0, stderr: '' });
    const { keyRequests, edgeInvocations } = await stats();
    const token = tokenOf(url);
    expect(new Set(keyRequests.map((k) => k.uri))).toEqual(new Set([0, 1, 2, 3, 4, 5].map((n) => `/t/${token}/keys/demo/${n}.key`)));
    expect(keyRequests.every((k) => k.status === 200)).toBe(true);
    // Only key requests run the authorizer; media under the prefix runs the (cheap) CloudFront Function.
    expect(edgeInvocations).toBe(keyRequests.length);
  });

  it('gets no key with a tampered token', async () => {
    const url = await pathUrl('alice', master());
    const token = tokenOf(url);
    const tampered = url.replace(token, `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
    await resetStats();
    await ffmpegPlay(tampered);
    const { keyRequests } = await stats();
    expect(keyRequests.length).toBeGreaterThan(0);
    expect(keyRequests.every((k) => k.status === 401)).toBe(true);
  });

  it('gets no key with a token made for another video', async () => {
    const other = await pathUrl('alice', master('trailer'));
    await resetStats();
    await ffmpegPlay(`${dev.ready.url}t/${tokenOf(other)}/videos/demo/master.m3u8`);
    const { keyRequests } = await stats();
    expect(keyRequests.length).toBeGreaterThan(0);
    expect(keyRequests.every((k) => k.status === 403)).toBe(true);
  });

  it('gets no key from the same master without a token', async () => {
    await resetStats();
    await ffmpegPlay(master());
    const { keyRequests } = await stats();
    expect(keyRequests.length).toBeGreaterThan(0);
    expect(keyRequests.every((k) => k.status === 401)).toBe(true);
  });

  it('fetches media from the shared cache: one cache entry per playlist and segment, whoever asks', async () => {
    await dev.keygate('grant', 'carol', 'demo');
    const urls = [await pathUrl('alice', master()), await pathUrl('carol', master())];
    await resetStats();
    for (const url of urls) expect((await ffmpegPlay(url)).code).toBe(0);
    const { mediaCacheKeys } = await stats();
    const keys = Object.keys(mediaCacheKeys);
    expect(keys.length).toBeGreaterThan(0);
    // No token in any cache key, and each entry was asked for by both viewers.
    expect(keys.filter((k) => !k.startsWith('/videos/demo/'))).toEqual([]);
    expect(Object.values(mediaCacheKeys).every((count) => count === 2)).toBe(true);
  });
});

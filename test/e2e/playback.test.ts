import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { EmulatorStats } from '../../lib/dev/cloudfront-emulator';
import { launchChromium } from '../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';
import { PROJECT_ROOT } from '../fixtures/synth-keygate';

// The demo video: 24 s in 2 s segments, a key every 2 segments (12 segments, 6 windows, 2 renditions).
let dev: DevProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dev = await startDevProcess();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

beforeEach(async () => {
  page = await (await browser.newContext()).newPage();
  await page.goto(dev.ready.url);
  await fetch(new URL('/__keygate/stats', dev.ready.url), { method: 'POST' });
});

afterEach(async () => {
  await page.context().close();
});

/** A test that leaves a screenshot of the page in test-artifacts/ when it fails, whatever made it fail. */
function scenario(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    try {
      await body();
    } catch (error) {
      const dir = join(PROJECT_ROOT, 'test-artifacts');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`) }).catch(() => {});
      throw error;
    }
  });
}

const stats = async (): Promise<EmulatorStats> =>
  (await fetch(new URL('/__keygate/stats', dev.ready.url))).json() as Promise<EmulatorStats>;
const signIn = (who: string) => page.evaluate(async (as) => void (await fetch(`/__keygate/signin?as=${as}`, { method: 'POST' })), who);
const play = (options: Record<string, unknown> = {}) =>
  page.evaluate((opts) => {
    const video = document.getElementById('video') as HTMLVideoElement;
    video.playbackRate = 4;
    (window as unknown as { playVideo: (id: string, o: unknown) => void }).playVideo('demo', opts);
    video.addEventListener('playing', () => (video.playbackRate = 4));
  }, options);
/** The demo's rotation windows, read from a variant playlist: the distinct key URIs and the segment count. */
async function rotationWindows(): Promise<{ keyUris: string[]; segmentCount: number }> {
  const text = async (path: string) => (await fetch(new URL(path, dev.ready.url))).text();
  const master = await text('/videos/demo/master.m3u8');
  const variant = master.split('\n').find((line) => line.endsWith('.m3u8'))!;
  const playlist = await text(`/videos/demo/${variant}`);
  const keyUris = [...playlist.matchAll(/#EXT-X-KEY:.*URI="([^"]+)"/g)].map((m) => new URL(m[1], dev.ready.url).pathname);
  return { keyUris: [...new Set(keyUris)].sort(), segmentCount: playlist.split('\n').filter((line) => line.endsWith('.ts')).length };
}
/** Awaits the first refusal of the signed-in viewer's key (a rental ending, a revocation reaching past the cache); gives its status. */
const waitForKeyRefusal = () =>
  page.evaluate(async () => {
    for (;;) {
      const { status } = await fetch('/keys/demo/0.key', { cache: 'no-store' });
      if (status !== 200) return status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
const currentTime = () => page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).currentTime);
const fatal = () => page.evaluate(() => (window as unknown as { keygate: { fatal: unknown } }).keygate.fatal);
const waitForTime = (seconds: number) =>
  page.waitForFunction((s) => (document.getElementById('video') as HTMLVideoElement).currentTime > s, seconds, { timeout: 60_000 });
const waitForFatal = () =>
  page.waitForFunction(() => (window as unknown as { keygate: { fatal: unknown } }).keygate.fatal !== null, undefined, { timeout: 60_000 });
const framesDecoded = () =>
  page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);

describe('playback in Chromium with hls.js through the local CloudFront emulator', () => {
  scenario(
    'plays for alice (cookie) with exactly one key request per rotation window and no authorizer call for playlists or segments',
    async () => {
      await signIn('alice');
      await play();
      await waitForTime(4.5);
      expect(await fatal()).toBeNull();
      expect(await framesDecoded()).toBeGreaterThan(0);
      // The whole video fits in hls.js's default buffer: once the last segment is buffered, every window has been entered.
      const windows = await rotationWindows();
      await page.waitForFunction(
        (last) => (window as unknown as { keygate: { buffered: { sn: number }[] } }).keygate.buffered.some((f) => f.sn === last),
        windows.segmentCount - 1,
        { timeout: 60_000 },
      );
      const seen = await stats();
      expect(seen.keyRequests.map((k) => k.uri).sort()).toEqual(windows.keyUris);
      expect(seen.keyRequests.every((k) => k.status === 200)).toBe(true);
      expect(seen.requests.media).toBeGreaterThan(windows.segmentCount);
      expect(seen.edgeInvocations).toBe(seen.keyRequests.length);
    },
  );

  scenario('plays for alice with a bearer token added to key requests only', async () => {
    const { token } = (await (await fetch(new URL('/__keygate/token?as=alice', dev.ready.url))).json()) as { token: string };
    await play({ bearer: token });
    await waitForTime(4.5);
    expect(await fatal()).toBeNull();
    const seen = await stats();
    expect(seen.mediaRequestsWithAuthorization).toBe(0);
    // No cookie in this fresh browser context: the keys were opened by the bearer token alone.
    expect(seen.keyRequests.length).toBeGreaterThan(0);
    expect(seen.keyRequests.every((k) => k.status === 200)).toBe(true);
  });

  scenario('refuses bob: a fatal key error, 403 not-entitled, nothing played, at most two key requests', async () => {
    await signIn('bob');
    await play();
    await waitForFatal();
    expect(await fatal()).toMatchObject({ status: 403, reason: 'not-entitled' });
    expect(await currentTime()).toBe(0);
    expect((await stats()).keyRequests.length).toBeLessThanOrEqual(2);
    await page.waitForFunction(() => /not-entitled/.test(document.getElementById('status')?.textContent ?? ''));
  });

  scenario('refuses a signed-out viewer with 401 no-credentials', async () => {
    await play();
    await waitForFatal();
    expect(await fatal()).toMatchObject({ status: 401, reason: 'no-credentials' });
  });

  scenario('makes no extra key request when the rendition switches inside a rotation window', async () => {
    await signIn('alice');
    type Frag = { sn: number; level: number; key: string };
    const buffered = () => page.evaluate(() => (window as unknown as { keygate: { buffered: Frag[] } }).keygate.buffered);
    // Paused at 0 with a 1 s buffer goal: only the first segment (window 0) loads at the first rendition.
    await page.evaluate(() =>
      (window as unknown as { playVideo: (id: string, o: unknown) => void }).playVideo('demo', {
        autoplay: false,
        hlsConfig: { startLevel: 0, maxBufferLength: 1, maxMaxBufferLength: 1 },
      }),
    );
    await page.waitForFunction(() => (window as unknown as { keygate: { buffered: unknown[] } }).keygate.buffered.length >= 1, undefined, {
      timeout: 60_000,
    });
    // Switch now: the player fetches the same position, still window 0, at the other rendition.
    await page.evaluate(() => {
      const hls = (window as unknown as { keygate: { hls: { currentLevel: number } } }).keygate.hls;
      hls.currentLevel = hls.currentLevel === 0 ? 1 : 0;
    });
    await page.waitForFunction(
      () => new Set((window as unknown as { keygate: { buffered: { level: number }[] } }).keygate.buffered.map((f) => f.level)).size === 2,
      undefined,
      {
        timeout: 60_000,
      },
    );
    const frags = await buffered();
    expect(new Set(frags.map((f) => f.level)).size).toBe(2);
    expect(new Set(frags.map((f) => new URL(f.key).pathname))).toEqual(new Set(['/keys/demo/0.key']));
    expect((await stats()).keyRequests).toEqual([{ uri: '/keys/demo/0.key', status: 200 }]);
  });

  scenario(
    'stops playback at the next rotation window after a purchase is revoked mid-playback, and never plays a later window',
    async () => {
      await dev.keygate('grant', 'dora', 'demo');
      await signIn('dora');
      await play({ hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 } });
      await waitForTime(1);
      expect((await dev.keygate('revoke', 'dora', 'demo')).code).toBe(0);
      await waitForFatal();
      expect(await fatal()).toMatchObject({ status: 403, reason: 'not-entitled' });
      // The revocation shows once the authorizer's 2 s allow TTL has passed, at the next key window;
      // playback stops exactly there: every buffered fragment belongs to an earlier window.
      const windowOf = (uri: string) => Number(/\/(\d+)\.key$/.exec(uri)?.[1]);
      const denied = (await stats()).keyRequests.find((k) => k.status === 403);
      expect(denied).toBeDefined();
      const deniedWindow = windowOf(denied!.uri);
      const played = (await page.evaluate(() => (window as unknown as { keygate: { buffered: { key: string }[] } }).keygate.buffered)).map(
        (f) => windowOf(f.key),
      );
      expect(deniedWindow).toBeLessThan(6);
      expect(Math.max(...played)).toBe(deniedWindow - 1);
      expect(await currentTime()).toBeLessThanOrEqual(deniedWindow * 4);
    },
  );

  scenario('plays a rental, then refuses it once it has expired', async () => {
    expect((await dev.keygate('grant', 'erin', 'demo', '--for', '8s')).code).toBe(0);
    await signIn('erin');
    await play();
    await waitForTime(1);
    expect(await fatal()).toBeNull();
    // The rental ends on the dev stack's own clock: await the first refusal rather than guess how long it takes.
    expect(await waitForKeyRefusal()).toBe(403);
    await play();
    await waitForFatal();
    expect(await fatal()).toMatchObject({ status: 403, reason: 'entitlement-expired' });
  });

  scenario('makes a viewer’s current token useless after keygate revoke-sessions', async () => {
    await dev.keygate('grant', 'fred', 'demo');
    await signIn('fred');
    await play();
    await waitForTime(1);
    expect((await dev.keygate('revoke-sessions', 'fred')).code).toBe(0);
    // Once the revocation reaches past the authorizer's allow cache, a fresh playback with the same cookie is refused.
    expect(await waitForKeyRefusal()).toBe(401);
    await play();
    await waitForFatal();
    expect(await fatal()).toMatchObject({ status: 401, reason: 'session-revoked' });
    await page.waitForFunction(() => /session-revoked/.test(document.getElementById('status')?.textContent ?? ''));
  });
});

import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';

// The demo page as a first-time user meets it: players switched back and forth, refusals in
// words, the keys line, and the buttons that revoke the viewer or end the playback.
let dev: DevProcess;
let browser: Browser;
beforeAll(async () => {
  [dev, browser] = await Promise.all([startDevProcess(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

interface DemoWindow {
  signIn: (who: string) => Promise<void>;
  playVideo: (id: string, options: Record<string, unknown>) => Promise<void>;
  revokeMe: () => Promise<string>;
  grantMeAgain: () => Promise<string>;
  endThisSession: () => Promise<string>;
  keygate: { video: HTMLVideoElement | null; fatal: { reason?: string } | null; keysFetched: string[] };
}

/** A fresh page, with every 4xx/5xx response and console error it meets. */
async function openPage(): Promise<{ page: Page; noise: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const noise: string[] = [];
  page.on('console', (message) => message.type() === 'error' && noise.push(message.text()));
  page.on('requestfinished', async (request) => {
    const status = (await request.response())?.status() ?? 0;
    if (status >= 400) noise.push(`${status} ${request.url()}`);
  });
  await page.goto(dev.ready.url);
  await page.waitForLoadState('networkidle');
  return { page, noise };
}

const play = (page: Page, options: Record<string, unknown>) =>
  page.evaluate((o) => void (window as unknown as DemoWindow).playVideo('demo', { playbackRate: 4, ...o }), options);
const playingPast = (page: Page, seconds: number) =>
  page.waitForFunction((s) => ((window as unknown as DemoWindow).keygate.video?.currentTime ?? 0) > s, seconds, { timeout: 60_000 });
const refused = (page: Page) =>
  page.waitForFunction(() => (window as unknown as DemoWindow).keygate.fatal !== null, undefined, { timeout: 60_000 });
const statusParts = (page: Page) =>
  page.evaluate(() => ({
    headline: document.querySelector('#status strong')?.textContent ?? null,
    code: document.querySelector('#status small')?.textContent ?? null,
  }));

describe('the demo page', () => {
  it('loads without a single 4xx or console error (no /__keygate/oidc 404 without --oidc, no favicon.ico)', async () => {
    const { page, noise } = await openPage();
    expect(noise).toEqual([]);
    await page.context().close();
  });

  it.each([
    ['shaka', 'hls.js'],
    ['shaka', 'shaka'],
    ['video.js', 'shaka'],
  ])('plays %s, then %s on the same page: each player is torn down before the next', async (first, second) => {
    const { page } = await openPage();
    await page.evaluate(() => (window as unknown as DemoWindow).signIn('alice'));
    await play(page, { player: first });
    await playingPast(page, 1);
    await play(page, { player: second });
    // The second player starts from 0 on a clean element and plays past where the first one was.
    await page.waitForFunction(() => ((window as unknown as DemoWindow).keygate.video?.currentTime ?? 99) < 1, undefined, {
      timeout: 30_000,
    });
    await playingPast(page, 2);
    expect(await page.evaluate(() => (window as unknown as DemoWindow).keygate.fatal)).toBeNull();
    await page.context().close();
  });

  it("tells bob he doesn't own the video, with the reason in small print, and hides the player (no spinner)", async () => {
    const { page } = await openPage();
    await page.evaluate(() => (window as unknown as DemoWindow).signIn('bob'));
    await play(page, { player: 'video.js' });
    await refused(page);
    expect(await statusParts(page)).toEqual({ headline: "You don't own this video", code: 'not-entitled (HTTP 403)' });
    expect(await page.locator('.video-js').isVisible()).toBe(false);
    await page.context().close();
  });

  it('sends a viewer on a one-screen plan from cookie mode to bearer mode, where the playback plays', async () => {
    const { page } = await openPage();
    const viewer = dev.ready.limitedViewer;
    await page.evaluate((who) => (window as unknown as DemoWindow).signIn(who), viewer);
    await play(page, { player: 'hls.js', auth: 'cookie' });
    await refused(page);
    expect(await statusParts(page)).toEqual({
      headline: expect.stringContaining('choose "bearer token" and play again'),
      code: 'session-required (HTTP 403)',
    });
    // A 2 s buffer: the short test demo is otherwise wholly buffered, every key fetched, before the button is pressed.
    await play(page, { player: 'hls.js', auth: 'bearer', hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 } });
    await playingPast(page, 1);
    // "End this session" runs keygate end-session's code: this playback is refused at its next key window.
    expect(await page.evaluate(() => (window as unknown as DemoWindow).endThisSession())).toMatch(/^ended session \S+ of casey/);
    await refused(page);
    expect(await statusParts(page)).toEqual({ headline: 'This playback was ended from your account', code: 'session-ended (HTTP 403)' });
    await page.context().close();
  });

  it('"revoke me" stops playback at a key window, and the keys line counts what was fetched against the playhead', async () => {
    const { page } = await openPage();
    await page.evaluate(() => (window as unknown as DemoWindow).signIn('alice'));
    await play(page, { player: 'hls.js', hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 } });
    await playingPast(page, 1);
    expect(await page.locator('#keys').textContent()).toMatch(
      /^keys fetched [1-6] of 6 · playhead 0:0\d, in key window [12] · \d keys? fetched ahead of it$/,
    );
    expect(await page.evaluate(() => (window as unknown as DemoWindow).revokeMe())).toBe(
      'revoked alice demo: playback stops at the next key window',
    );
    await refused(page);
    expect(await statusParts(page)).toEqual({ headline: "You don't own this video", code: 'not-entitled (HTTP 403)' });
    const fetched = await page.evaluate(() => (window as unknown as DemoWindow).keygate.keysFetched);
    expect(fetched.length).toBeLessThan(6);
    expect(await page.evaluate(() => (window as unknown as DemoWindow).grantMeAgain())).toBe('granted alice demo');
    await page.context().close();
  });
});

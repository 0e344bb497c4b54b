import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';
import { currentTimeOf, pageState, waitForFatalOf, playOnPage, waitForKeygate, waitForTimeOf } from './support/page-state';
import type { PlayOptions } from './support/player-session';

// One viewer, dora, on a plan of 2 streams, in three browsers (three contexts: three devices).
// keygate dev's demo rotates keys every 4 s, so a lease lasts 8 s (two key windows). Players keep a
// 2 s buffer and play in real time, so each asks for the next key as playback reaches its window:
// the key requests are the heartbeat.
const VIEWER = 'dora';
const LEASE_SECONDS = 8;
const HEARTBEAT: PlayOptions = {
  player: 'hls.js',
  auth: 'bearer',
  as: VIEWER,
  playbackRate: 1,
  hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 },
};

let dev: DevProcess;
let browser: Browser;

beforeAll(async () => {
  dev = await startDevProcess();
  browser = await launchChromium();
  expect((await dev.keygate('grant', VIEWER, '*', '--max-streams', '2')).code).toBe(0);
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

/** A device: its own browser context and the demo page. */
async function device(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(dev.ready.url);
  return page;
}

const play = (page: Page) => playOnPage(page, 'demo', HEARTBEAT);
const state = pageState;
const currentTime = currentTimeOf;
const waitForTime = (page: Page, seconds: number) => waitForTimeOf(page, seconds, 30_000);
const waitForFatal = (page: Page) => waitForFatalOf(page, 30_000);
const statusText = (page: Page) => page.locator('#status').textContent();

/** The viewer's sessions, as `keygate sessions` lists them. */
async function sessions(): Promise<{ sessionId: string; state: string; startedAt: number }[]> {
  return JSON.parse((await dev.keygate('sessions', VIEWER, '--json')).stdout) as { sessionId: string; state: string; startedAt: number }[];
}

describe('stream limits in Chromium through keygate dev: one viewer, a 2-stream plan, three devices', () => {
  it('plays two, refuses the third with the reason shown, admits it after a closed device’s lease, and ends one chosen player', async () => {
    const [first, second, third] = [await device(), await device(), await device()];
    await play(first);
    await play(second);
    await Promise.all([waitForTime(first, 1), waitForTime(second, 1)]);

    // The third device is refused, shows why, and has played nothing.
    await play(third);
    await waitForFatal(third);
    expect((await state(third)).fatal).toMatchObject({ status: 403, reason: 'stream-limit' });
    expect(await statusText(third)).toContain('stream-limit (HTTP 403)');
    expect(await currentTime(third)).toBe(0);
    expect((await sessions()).filter((s) => s.state === 'playing')).toHaveLength(2);

    // Close the second device: its lease is not renewed and lapses within one lease period.
    await second.context().close();
    const closedAt = Date.now();
    await play(third);
    await waitForFatal(third);
    expect((await state(third)).fatal?.reason).toBe('stream-limit');
    let admittedAfterMs = 0;
    for (;;) {
      await third.waitForTimeout(1000);
      await play(third);
      await waitForKeygate(third, (keygate) => keygate.fatal !== null || (keygate.video?.currentTime ?? 0) > 0.5, undefined, 30_000);
      if ((await state(third)).fatal === null) {
        admittedAfterMs = Date.now() - closedAt;
        break;
      }
      expect((await state(third)).fatal?.reason).toBe('stream-limit');
      expect(Date.now() - closedAt).toBeLessThan((LEASE_SECONDS + 6) * 1000);
    }
    // Not before the closed device's last lease ran out (it renewed at most a key window before closing).
    expect(admittedAfterMs).toBeGreaterThan((LEASE_SECONDS - 4) * 1000);
    expect((await state(first)).fatal).toBeNull();

    // End the third device's session: it stops at its next key window; the first keeps playing.
    // The third device's session is the one that started last (refused attempts leave no lease).
    const playing = (await sessions()).filter((s) => s.state === 'playing').sort((a, b) => b.startedAt - a.startedAt);
    expect(playing).toHaveLength(2);
    expect((await dev.keygate('end-session', VIEWER, playing[0].sessionId)).code).toBe(0);
    const firstTimeAtEnd = await currentTime(first);
    await waitForFatal(third);
    expect((await state(third)).fatal).toMatchObject({ status: 403, reason: 'session-ended' });
    expect(await statusText(third)).toContain('session-ended (HTTP 403)');
    // The first device plays on, through a further key window, or to the end of the 24 s title (on a
    // loaded machine the steps above can outlast what was left of it).
    await waitForKeygate(
      first,
      (keygate, t: number) => (keygate.video?.currentTime ?? 0) > t || keygate.video?.ended === true,
      firstTimeAtEnd + 4,
      30_000,
    );
    expect((await state(first)).fatal).toBeNull();

    await first.context().close();
    await third.context().close();
  });
});

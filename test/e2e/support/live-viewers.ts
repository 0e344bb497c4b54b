import type { Browser, Page } from 'playwright-core';
import type { PageState, PlayOptions } from './player-session';

type KeygateWindow = Window & { keygate: PageState & { video: HTMLVideoElement | null } };

/** The key period a key path names: `/keys/live/17.key` → 17. */
export const periodOf = (keyPath: string) => Number(/\/(\d+)\.key$/.exec(keyPath)?.[1]);

/** One viewer of the live channel on the demo page, in a browser context of its own (a device). */
export interface LiveViewer {
  page: Page;
  /** The key paths this page asked for, in order, as the network saw them. */
  keyRequests: string[];
  currentTime(): Promise<number>;
  state(): Promise<PageState>;
  /** Waits until playback has reached `seconds` of media time (live: the player's own clock). */
  waitForTime(seconds: number, timeoutMs: number): Promise<void>;
  waitForFatal(timeoutMs: number): Promise<NonNullable<PageState['fatal']>>;
  close(): Promise<void>;
}

/**
 * Opens the demo page in a new context, signs in as `who` with the cookie (unless the options use
 * bearer tokens minted for `as`), runs `beforePlay`, and plays the channel in real time through the player kit.
 */
export async function watchLive(
  browser: Browser,
  url: string,
  channel: string,
  who: string | null,
  options: PlayOptions,
  beforePlay?: () => Promise<void>,
): Promise<LiveViewer> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const keyRequests: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.includes('/keys/')) keyRequests.push(path);
  });
  // The page loads three players' scripts: on a busy machine that alone can take tens of seconds.
  await page.goto(url, { timeout: 120_000 });
  if (who !== null) await page.evaluate((as) => (window as unknown as { signIn: (who: string) => Promise<void> }).signIn(as), who);
  await beforePlay?.();
  await page.evaluate(
    ([id, opts]) => void (window as unknown as { playVideo: (id: string, o: PlayOptions) => Promise<void> }).playVideo(id, opts),
    [channel, { playbackRate: 1, ...options }] as const,
  );
  return {
    page,
    keyRequests,
    currentTime: () => page.evaluate(() => (window as unknown as KeygateWindow).keygate.video?.currentTime ?? 0),
    state: () => page.evaluate(() => (window as unknown as KeygateWindow).keygate as PageState),
    waitForTime: async (seconds, timeoutMs) => {
      await page.waitForFunction((s) => ((window as unknown as KeygateWindow).keygate.video?.currentTime ?? 0) > s, seconds, {
        timeout: timeoutMs,
        polling: 500,
      });
    },
    waitForFatal: async (timeoutMs) => {
      const handle = await page.waitForFunction(() => (window as unknown as KeygateWindow).keygate.fatal, undefined, {
        timeout: timeoutMs,
        polling: 500,
      });
      return (await handle.jsonValue()) as NonNullable<PageState['fatal']>;
    },
    close: () => context.close(),
  };
}

import type { Browser, Page } from 'playwright-core';
import { currentTimeOf, pageState, playOnPage, waitForFatalOf, waitForPageScript, waitForTimeOf } from './page-state';
import type { PageState, PlayOptions } from './player-session';

/** The key period a key path names: `/keys/live/17.key` → 17. */
export const periodOf = (keyPath: string) => Number(/\/(\d+)\.key$/.exec(keyPath)?.[1]);

/** One viewer of the live channel on the demo page, in a browser context of its own (a device). */
export interface LiveViewer {
  page: Page;
  /** The key paths this page asked for, in order, as the network saw them. */
  keyRequests: string[];
  /** How each of those requests ended, in the order they ended: the HTTP status, or 0 when no response came. */
  keyAnswers: { path: string; status: number }[];
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
  const keyAnswers: { path: string; status: number }[] = [];
  const keyPathOf = (url: string) => {
    const path = new URL(url).pathname;
    return path.includes('/keys/') ? path : undefined;
  };
  page.on('request', (request) => {
    const path = keyPathOf(request.url());
    if (path) keyRequests.push(path);
  });
  page.on('requestfinished', (request) => {
    const path = keyPathOf(request.url());
    if (path) void request.response().then((response) => keyAnswers.push({ path, status: response?.status() ?? 0 }));
  });
  page.on('requestfailed', (request) => {
    const path = keyPathOf(request.url());
    if (path) keyAnswers.push({ path, status: 0 });
  });
  // The page loads three players' scripts: on a busy machine that alone can take tens of seconds.
  await page.goto(url, { timeout: 120_000 });
  await waitForPageScript(page, 120_000);
  if (who !== null) await page.evaluate((as) => (window as unknown as { signIn: (who: string) => Promise<void> }).signIn(as), who);
  await beforePlay?.();
  await playOnPage(page, channel, { playbackRate: 1, ...options });
  return {
    page,
    keyRequests,
    keyAnswers,
    currentTime: () => currentTimeOf(page),
    state: () => pageState(page),
    waitForTime: (seconds, timeoutMs) => waitForTimeOf(page, seconds, timeoutMs),
    waitForFatal: async (timeoutMs) => {
      await waitForFatalOf(page, timeoutMs);
      return (await pageState(page)).fatal!;
    },
    close: () => context.close(),
  };
}

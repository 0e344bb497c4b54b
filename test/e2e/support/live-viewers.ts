import type { Browser, Page, Request } from 'playwright-core';
import { currentTimeOf, pageState, playOnPage, waitForFatalOf, waitForPageScript, waitForTimeOf } from './page-state';
import type { PageState, PlayOptions } from './player-session';

/** The key period a key path names: `/keys/live/17.key` → 17. */
export const periodOf = (keyPath: string) => Number(/\/(\d+)\.key$/.exec(keyPath)?.[1]);

/** One key request of a page: its path, its answer, and when (ms since the page opened) it was sent and ended. */
export interface KeyAnswer {
  path: string;
  status: number | undefined;
  error?: string;
  sentMs: number;
  endedMs?: number;
}

/** One viewer of the live channel on the demo page, in a browser context of its own (a device). */
export interface LiveViewer {
  page: Page;
  /** The key paths this page asked for, in order, as the network saw them. */
  keyRequests: string[];
  /** Those requests in the order they were sent, with how each ended: the HTTP status, 0 when no response came, undefined while open. */
  keyAnswers: KeyAnswer[];
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
  const keyAnswers: KeyAnswer[] = [];
  const answerOf = new Map<Request, KeyAnswer>();
  const startedAt = Date.now();
  const keyPathOf = (url: string) => {
    const path = new URL(url).pathname;
    return path.includes('/keys/') ? path : undefined;
  };
  page.on('request', (request) => {
    const path = keyPathOf(request.url());
    if (!path) return;
    keyRequests.push(path);
    const answer: KeyAnswer = { path, status: undefined, sentMs: Date.now() - startedAt };
    keyAnswers.push(answer);
    answerOf.set(request, answer);
  });
  // The status as the headers arrive: an answer is final then (a 503 the kit retries included), and
  // 'requestfinished' + request.response() is another round trip that a loaded machine can leave
  // unanswered while the kit's retry is already on its way.
  page.on('response', (response) => {
    const answer = answerOf.get(response.request());
    if (answer !== undefined && answer.status === undefined)
      Object.assign(answer, { status: response.status(), endedMs: Date.now() - startedAt });
  });
  page.on('requestfailed', (request) => {
    const answer = answerOf.get(request);
    if (answer === undefined) return;
    // A body lost after its headers keeps its status; a request that got no answer at all is 0.
    Object.assign(answer, {
      status: answer.status ?? 0,
      error: request.failure()?.errorText,
      endedMs: answer.endedMs ?? Date.now() - startedAt,
    });
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

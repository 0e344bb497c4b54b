import type { Page } from 'playwright-core';

/** What the tests read of the demo page's `window.keygate` (lib/dev/player-page.ts). */
export interface PageState {
  fatal: { status?: number; reason?: string | null; details: string } | null;
  denials: { status: number; reason: string | null; url: string }[];
  tokenRefreshes: number;
  buffered: { sn: number; level: number; key: string }[];
}

/** The page's state as its script holds it: the plain fields above, and the live player objects. */
export type KeygateState = PageState & { video: HTMLVideoElement | null; hls: unknown };

const DEFAULT_TIMEOUT_MS = 60_000;

// Each reader runs in the page as one expression that is falsy until `window.keygate` exists, so a
// poll that comes before the page's script has run waits ("not yet") instead of reading undefined.
// Only plain data leaves the page: Playwright turns a value it cannot serialise (the player objects
// hanging off the state, mid-load) into `undefined`, which once read as "no state" under load.
const whenKeygate = (expression: string) =>
  `(() => { const keygate = window.keygate; return keygate === undefined ? false : ${expression}; })()`;

/**
 * Waits until `window.keygate` exists and `predicate(keygate, arg)` holds (re-checked on every animation
 * frame). `arg` must be JSON data: it is written into the expression.
 */
export async function waitForKeygate<A = undefined>(
  page: Page,
  predicate: (keygate: KeygateState, arg: A) => boolean,
  arg?: A,
  timeout = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  await page.waitForFunction(whenKeygate(`(${predicate.toString()})(keygate, ${JSON.stringify(arg) ?? 'undefined'}) === true`), undefined, {
    timeout,
  });
}

/** Waits for the page's script to have run: it sets `window.keygate` first, then `signIn` and `playVideo`. */
export const waitForPageScript = (page: Page, timeout = DEFAULT_TIMEOUT_MS): Promise<void> =>
  waitForKeygate(page, () => true, undefined, timeout);

/** Calls the page's `playVideo(videoId, options)` once its script has run; does not wait for playback. */
export async function playOnPage(page: Page, videoId: string, options: object): Promise<void> {
  await waitForPageScript(page);
  await page.evaluate(
    ([id, opts]) => void (window as unknown as { playVideo: (id: string, o: object) => Promise<void> }).playVideo(id, opts),
    [videoId, options] as const,
  );
}

/** Runs `use` in the page on `window.keygate` once it exists, and gives back its result, which must be JSON-like data. */
export async function withKeygate<T>(page: Page, use: (keygate: KeygateState) => T, timeout = DEFAULT_TIMEOUT_MS): Promise<T> {
  const handle = await page.waitForFunction(whenKeygate(`{ value: (${use.toString()})(keygate) }`), undefined, { timeout });
  const { value } = (await handle.jsonValue()) as { value: T };
  await handle.dispose();
  return value;
}

/** The page's state (a copy of its plain fields), once the page has one. */
export const pageState = (page: Page): Promise<PageState> =>
  withKeygate(page, (keygate) => ({
    fatal: keygate.fatal,
    denials: keygate.denials,
    tokenRefreshes: keygate.tokenRefreshes,
    buffered: keygate.buffered,
  }));

/** The video's position; 0 while nothing plays (no video element yet). */
export const currentTimeOf = (page: Page): Promise<number> => withKeygate(page, (keygate) => keygate.video?.currentTime ?? 0);

export const framesDecodedOf = (page: Page): Promise<number> =>
  withKeygate(page, (keygate) => keygate.video?.getVideoPlaybackQuality().totalVideoFrames ?? 0);

export const waitForTimeOf = (page: Page, seconds: number, timeout = DEFAULT_TIMEOUT_MS): Promise<void> =>
  waitForKeygate(page, (keygate, s: number) => (keygate.video?.currentTime ?? 0) > s, seconds, timeout);

export const waitForFatalOf = (page: Page, timeout = DEFAULT_TIMEOUT_MS): Promise<void> =>
  waitForKeygate(page, (keygate) => keygate.fatal !== null, undefined, timeout);

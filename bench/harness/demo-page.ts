import type { Browser, BrowserContext, Page } from 'playwright-core';

/** The demo page's players (lib/dev/player-page.ts), each through the Keygate player kit. */
export type DemoPlayer = 'hls.js' | 'video.js' | 'shaka';

/** Options of the demo page's `playVideo(id, options)`. */
export interface DemoPlayOptions {
  player: DemoPlayer;
  auth?: 'cookie' | 'bearer';
  bearer?: string;
  /** Who the page's getToken() mints for, and for how long (seconds). */
  as?: string;
  ttl?: number;
  playbackRate?: number;
  /** Further kit options (keyOrigins, keyWindowSeconds, withCredentials…). */
  kit?: Record<string, unknown>;
}

/** What the page tells of one playback. */
export interface DemoPageState {
  fatal: { status?: number; reason?: string | null; details: string } | null;
  denials: { status: number; reason: string | null; url: string }[];
  tokenRefreshes: number;
  /** The furthest media time the playhead reached, and when (the page's Date.now()) it last moved forward. */
  furthest: number;
  lastAdvanceAt: number | null;
  /** The furthest media time reached when the page first saw a refusal, if any. */
  refusedAt: number | null;
  currentTime: number;
  ended: boolean;
  framesDecoded: number;
}

interface PageWindow {
  keygate: { fatal: DemoPageState['fatal']; denials: DemoPageState['denials']; tokenRefreshes: number; video: HTMLVideoElement | null };
  playVideo: (id: string, options: DemoPlayOptions) => Promise<void>;
  signIn: (who: string, ttl?: number) => Promise<void>;
  progress: { furthest: number; lastAdvanceAt: number | null; refusedAt: number | null };
}

/**
 * The `keygate dev` demo page in a fresh browser context of its own (the HTTP cache of another
 * playback must not answer for this one), with a watch on the playhead: a player that stops after a
 * denial may reset its element, so the furthest time reached is kept apart from `currentTime`.
 */
export async function openDemoPage(browser: Browser, url: string) {
  const context: BrowserContext = await browser.newContext();
  const page: Page = await context.newPage();
  // The page loads three players' scripts (megabytes): several pages at once on a busy machine take a while.
  await page.goto(url, { timeout: 120_000 });
  await page.evaluate(() => {
    const w = window as unknown as PageWindow;
    const progress = (w.progress = { furthest: 0, lastAdvanceAt: null as number | null, refusedAt: null as number | null });
    setInterval(() => {
      if (w.keygate.fatal !== null && progress.refusedAt === null) progress.refusedAt = progress.furthest;
      const time = w.keygate.video?.currentTime ?? 0;
      if (time <= progress.furthest) return;
      progress.furthest = time;
      progress.lastAdvanceAt = Date.now();
    }, 25);
  });
  return {
    page,
    signIn: (who: string, ttl?: number) =>
      page.evaluate(([as, lifetime]) => (window as unknown as PageWindow).signIn(as, lifetime), [who, ttl] as const),
    /** Starts a video; 4× real time unless told otherwise. */
    play: (videoId: string, options: DemoPlayOptions) =>
      page.evaluate(([id, opts]) => void (window as unknown as PageWindow).playVideo(id, opts), [
        videoId,
        { playbackRate: 4, ...options },
      ] as const),
    state: () =>
      page.evaluate((): DemoPageState => {
        const w = window as unknown as PageWindow;
        const video = w.keygate.video;
        return {
          fatal: w.keygate.fatal,
          denials: w.keygate.denials,
          tokenRefreshes: w.keygate.tokenRefreshes,
          furthest: w.progress.furthest,
          lastAdvanceAt: w.progress.lastAdvanceAt,
          refusedAt: w.progress.refusedAt,
          currentTime: video?.currentTime ?? 0,
          ended: video?.ended === true,
          framesDecoded: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
        };
      }),
    /** Resolves once the playhead has passed `seconds` of media time. */
    waitForTime: (seconds: number, timeoutMs = 60_000) =>
      page.waitForFunction((s) => (window as unknown as PageWindow).progress.furthest > s, seconds, { timeout: timeoutMs, polling: 50 }),
    /** Resolves once playback has ended or been refused; false if neither happened within the time given. */
    waitForEndOrDenial: (timeoutMs: number) =>
      page
        .waitForFunction(
          () => {
            const w = window as unknown as PageWindow;
            return w.keygate.fatal !== null || w.keygate.video?.ended === true;
          },
          undefined,
          { timeout: timeoutMs, polling: 50 },
        )
        .then(
          () => true,
          () => false,
        ),
    pause: () => page.evaluate(() => (window as unknown as PageWindow).keygate.video?.pause()),
    /**
     * Pauses the moment the playhead passes `seconds`, in the page's own frame loop: waiting for the time
     * and then pausing takes two round trips, and on a loaded machine the player plays (and buffers) on
     * by seconds in between.
     */
    pauseAt: (seconds: number, timeoutMs = 60_000) =>
      page.waitForFunction(
        (s) => {
          const video = (window as unknown as PageWindow).keygate.video;
          if (video === null || video === undefined || video.currentTime <= s) return false;
          video.pause();
          return true;
        },
        seconds,
        { timeout: timeoutMs, polling: 'raf' },
      ),
    resume: () => page.evaluate(() => (window as unknown as PageWindow).keygate.video?.play()),
    /** Waits on the browser's clock until a moment (epoch seconds) has passed. */
    waitUntil: (epochSeconds: number, timeoutMs = 60_000) =>
      page.waitForFunction((t) => Date.now() / 1000 > t, epochSeconds, { timeout: timeoutMs }),
    close: () => context.close(),
  };
}

export type DemoPage = Awaited<ReturnType<typeof openDemoPage>>;

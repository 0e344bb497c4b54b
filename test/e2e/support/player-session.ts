import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { EmulatorStats } from '../../../lib/dev/cloudfront-emulator';
import { launchChromium } from '../../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../../fixtures/dev-stack-process';
import { fetchEmulatorStats } from '../../fixtures/emulator-stats';
import { PROJECT_ROOT } from '../../fixtures/example-context';
import {
  currentTimeOf,
  framesDecodedOf,
  pageState,
  playOnPage,
  waitForFatalOf,
  withKeygate,
  waitForKeygate,
  waitForPageScript,
  waitForTimeOf,
  type KeygateState,
  type PageState,
} from './page-state';

export type { PageState } from './page-state';

/** The demo page's players (lib/dev/player-page.ts), each through the Keygate player kit. */
export const PLAYERS = ['hls.js', 'video.js', 'shaka'] as const;
export type PlayerName = (typeof PLAYERS)[number];

/** Options of the page's `playVideo('demo', options)`. */
export interface PlayOptions {
  player?: PlayerName;
  auth?: 'cookie' | 'bearer';
  bearer?: string;
  /** Who getToken() mints for, and for how long (seconds). */
  as?: string;
  ttl?: number;
  hlsConfig?: Record<string, unknown>;
  shakaConfig?: Record<string, unknown>;
  autoplay?: boolean;
  playbackRate?: number;
  /** Further kit options: keyOrigins, keyWindowSeconds, withCredentials… */
  kit?: Record<string, unknown>;
}

/**
 * Every player buffers the whole 24 s demo ahead, so every key is asked for at once: the kit's cap at the
 * key window is off, and Shaka's default goal (10 s) raised.
 */
export const WHOLE_VIDEO_BUFFER: Pick<PlayOptions, 'hlsConfig' | 'shakaConfig' | 'kit'> = {
  shakaConfig: { streaming: { bufferingGoal: 30 } },
  kit: { keyWindowSeconds: 'off' },
};

/**
 * `keygate dev` and Chromium for a test file, and a fresh browser context per test (its HTTP cache
 * must not serve a replay); the emulator's counters are reset before each test. The page is the
 * demo page unless `pageUrl` names another (the cross-origin test's).
 */
export function playerSession(options: { devArgs?: () => string[]; pageUrl?: () => string } = {}) {
  let dev: DevProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dev = await startDevProcess({ args: options.devArgs?.() });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
    await page.goto(options.pageUrl?.() ?? dev.ready.url);
    await fetch(new URL('/__keygate/stats', dev.ready.url), { method: 'POST' });
  });
  afterEach(async () => {
    await page.context().close();
  });

  const devUrl = (path: string) => new URL(path, dev.ready.url).href;
  const state = (): Promise<PageState> => pageState(page);

  return {
    get dev() {
      return dev;
    },
    get page() {
      return page;
    },
    get browser() {
      return browser;
    },
    devUrl,

    /** A test that leaves a screenshot of the page in test-artifacts/ when it fails, whatever made it fail. */
    scenario(name: string, body: () => Promise<void>): void {
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
    },

    stats: (): Promise<EmulatorStats> => fetchEmulatorStats(dev.ready.url),
    /** A bearer token minted by the dev server, as your backend would. */
    token: async (as: string, ttl?: number): Promise<string> =>
      ((await (await fetch(devUrl(`/__keygate/token?as=${as}${ttl ? `&ttl=${ttl}` : ''}`))).json()) as { token: string }).token,
    /** Signs in through the page (the cookie of the dev server's origin), as the demo's buttons do. */
    signIn: async (who: string, ttl?: number) => {
      await waitForPageScript(page);
      await page.evaluate(
        ([as, lifetime]) => (window as unknown as { signIn: (who: string, ttl?: number) => Promise<void> }).signIn(as, lifetime),
        [who, ttl] as const,
      );
    },
    /** Starts the demo video on the page; 4× real time unless told otherwise. */
    play: (playOptions: PlayOptions = {}) => playOnPage(page, 'demo', { playbackRate: 4, ...playOptions }),
    state,
    fatal: async () => (await state()).fatal,
    currentTime: () => currentTimeOf(page),
    framesDecoded: () => framesDecodedOf(page),
    waitForTime: (seconds: number) => waitForTimeOf(page, seconds),
    waitForFatal: () => waitForFatalOf(page),
    waitForEnded: () => waitForKeygate(page, (keygate) => keygate.video?.ended === true, undefined, 90_000),
    /** Waits until `window.keygate` exists and the predicate (run in the page) holds of it. */
    waitFor: (predicate: (keygate: KeygateState) => boolean) => waitForKeygate(page, predicate),
    /** Resolves once the media element holds the video to its end: every segment, hence every key, has been loaded. */
    waitForWholeVideoBuffered: () =>
      waitForKeygate(page, (keygate) => {
        const video = keygate.video;
        if (!video || !Number.isFinite(video.duration) || video.buffered.length === 0) return false;
        return video.buffered.end(video.buffered.length - 1) >= video.duration - 0.5;
      }),
    pause: () => withKeygate(page, (keygate) => void keygate.video?.pause()),
    /** Resumes playback, and resolves when the video's play() does. */
    resume: async () => {
      await waitForPageScript(page);
      await page.evaluate(() => (window as unknown as { keygate: KeygateState }).keygate.video?.play());
    },

    /** The demo's rotation windows, read from a variant playlist: the distinct key URIs and the segment count. */
    async rotationWindows(): Promise<{ keyUris: string[]; segmentCount: number }> {
      const text = async (path: string) => (await fetch(devUrl(path))).text();
      const master = await text('/videos/demo/master.m3u8');
      const variant = master.split('\n').find((line) => line.endsWith('.m3u8'))!;
      const playlist = await text(`/videos/demo/${variant}`);
      const keyUris = [...playlist.matchAll(/#EXT-X-KEY:.*URI="([^"]+)"/g)].map((m) => new URL(m[1], devUrl('/')).pathname);
      return { keyUris: [...new Set(keyUris)].sort(), segmentCount: playlist.split('\n').filter((line) => line.endsWith('.ts')).length };
    },
  };
}

/** The statuses each key URI was answered with, in order: `{ '/keys/demo/0.key': [200] }`. */
export function statusesByKeyUri(stats: EmulatorStats): Record<string, number[]> {
  const byUri: Record<string, number[]> = {};
  for (const { uri, status } of stats.keyRequests) (byUri[uri] ??= []).push(status);
  return byUri;
}

/** The same answer for every URI: `{ uri: statuses }` for each. */
export const everyUri = (uris: string[], statuses: number[]): Record<string, number[]> =>
  Object.fromEntries(uris.map((uri) => [uri, statuses]));

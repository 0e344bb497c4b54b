import { execFile } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../bench/harness/chromium';
import { startDevProcess, type DevProcess } from '../fixtures/dev-stack-process';
import { periodOf, watchLive, type KeyAnswer, type LiveViewer } from './support/live-viewers';
import type { PageState } from './support/player-session';

// `keygate dev --live`: one live channel (a key every 2 segments of 2 s: a 4 s key window; the
// authorizer's allow TTL is 2 s), watched at once by every viewer below, each in a browser context of
// its own, in real time. The scenarios start together in beforeAll and each test awaits its own, so
// the file lasts about as long as the longest one (alice's minute).
const CHANNEL = 'live';
const KEY_WINDOW_SECONDS = 4;
const ALLOW_TTL_SECONDS = 2;

let dev: DevProcess;
let browser: Browser;
const viewers: LiveViewer[] = [];
const scenarios: Record<string, Promise<unknown>> = {};

const devUrl = (path: string) => new URL(path, dev.ready.url).href;
/** The key periods the channel's playlist names right now (its sliding window), oldest first. */
async function periodsInWindow(): Promise<number[]> {
  const playlist = await (await fetch(devUrl(`/videos/${CHANNEL}/180p/index.m3u8`))).text();
  return [...playlist.matchAll(/URI="([^"]+)"/g)].map((m) => periodOf(m[1]));
}
/** Pages open one at a time (each loads three players' scripts; at once they starve a 2-core machine), then play together. */
let opening: Promise<unknown> = Promise.resolve();
function watch(who: string | null, options: Parameters<typeof watchLive>[4], beforePlay?: () => Promise<void>): Promise<LiveViewer> {
  const viewer = opening.then(() => watchLive(browser, dev.ready.url, CHANNEL, who, options, beforePlay));
  opening = viewer.catch(() => {});
  return viewer.then((v) => (viewers.push(v), v));
}
const keyPeriods = (viewer: LiveViewer) => viewer.keyRequests.map(periodOf);
const pollUntil = async (condition: () => Promise<boolean>) => {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 500));
};
/** ffmpeg, a native HLS client: reads `seconds` of the channel from a path-token URL; resolves with its exit code and errors. */
const ffmpegReads = (url: string, seconds: number) =>
  new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-i', url, '-t', String(seconds), '-f', 'null', '-'],
      { timeout: 90_000 },
      (error, _out, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  );
const nativeUrl = async (as: string) =>
  devUrl(((await (await fetch(devUrl(`/__keygate/native-url?as=${as}&video=${CHANNEL}`))).json()) as { url: string }).url);

/** Every scenario, started together; a failure is kept for its own test to report. */
function startScenarios(): void {
  const run = (name: string, body: () => Promise<unknown>) => {
    scenarios[name] = body();
    scenarios[name].catch(() => {});
  };

  run('alice', async () => {
    const alice = await watch('alice', { player: 'hls.js' });
    await alice.waitForTime(0.5, 60_000);
    const start = await alice.currentTime();
    await alice.waitForTime(start + 60, 150_000);
    const [end, state] = [await alice.currentTime(), await alice.state()];
    return { start, end, state, keyRequests: [...alice.keyRequests], keyAnswers: [...alice.keyAnswers] };
  });

  run('bob', async () => {
    const bob = await watch('bob', { player: 'hls.js' });
    const fatal = await bob.waitForFatal(60_000);
    return { fatal, keyRequests: [...bob.keyRequests], keyAnswers: bob.keyAnswers, currentTime: await bob.currentTime() };
  });

  run('carol', async () => {
    const carol = await watch('carol', { player: 'shaka' });
    await carol.waitForTime(4, 60_000);
    const newestAtRevocation = Math.max(...(await periodsInWindow()));
    const revoked = await dev.keygate('revoke', 'carol', CHANNEL);
    const fatal = await carol.waitForFatal(60_000);
    const state = await carol.state();
    return { revokeCode: revoked.code, newestAtRevocation, fatal, denials: state.denials, keyPeriods: keyPeriods(carol) };
  });

  run('dave', async () => {
    // Join once the window has slid past the channel's first keys.
    await pollUntil(async () => Math.min(...(await periodsInWindow())) >= 3);
    const windowAtJoin = await periodsInWindow();
    const dave = await watch('dave', { player: 'shaka' });
    await dave.waitForTime(0.5, 60_000);
    const start = await dave.currentTime();
    await dave.waitForTime(start + 2 * KEY_WINDOW_SECONDS, 60_000);
    return { windowAtJoin, keyPeriods: keyPeriods(dave), fatal: (await dave.state()).fatal };
  });

  run('erin', async () => {
    // The rental starts once her page is ready: it lasts long enough to play, and ends mid-event.
    const erin = await watch('erin', { player: 'video.js' }, async () => {
      expect((await dev.keygate('grant', 'erin', CHANNEL, '--for', '16s')).code).toBe(0);
    });
    await erin.waitForTime(1, 60_000);
    return { fatal: await erin.waitForFatal(90_000) };
  });

  run('frank', async () => {
    const first = await watch(null, { player: 'video.js', auth: 'bearer', as: 'frank' });
    await first.waitForTime(2, 60_000);
    const second = await watch(null, { player: 'hls.js', auth: 'bearer', as: 'frank' });
    // On a failure, what each device saw: its key answers and state say whether the second was never
    // refused, or the first lost its lease (a stall longer than the lease) and the second took the slot.
    const both = async () =>
      JSON.stringify({
        first: { at: await first.currentTime(), fatal: (await first.state()).fatal, keys: first.keyAnswers },
        second: { at: await second.currentTime(), fatal: (await second.state()).fatal, keys: second.keyAnswers },
      });
    const explained = async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${await both()}`);
    };
    const refused = await second.waitForFatal(60_000).catch(explained);
    // The first device plays on past the refusal, through at least one more key window.
    const at = await first.currentTime();
    await first.waitForTime(at + KEY_WINDOW_SECONDS + 1, 60_000).catch(explained);
    const firstFatal = (await first.state()).fatal;
    if (firstFatal !== null) await explained(new Error('the first device was refused'));
    return { refused, firstFatal };
  });

  run('native', async () => {
    // After the last page has loaded: a burst of page loads starves the local table, and ffmpeg, unlike the kit, never retries a 503.
    await scenarios.frank.catch(() => {});
    const urls = { alice: await nativeUrl('alice'), bob: await nativeUrl('bob') };
    const [alice, bob] = await Promise.all([ffmpegReads(urls.alice, 6), ffmpegReads(urls.bob, 6)]);
    // The key requests of each URL, as the emulated distribution answered them.
    const { keyRequests } = (await (await fetch(devUrl('/__keygate/stats'))).json()) as { keyRequests: { uri: string; status: number }[] };
    const tokenOf = (url: string) => new URL(url).pathname.split('/')[2];
    const statuses = (who: keyof typeof urls) => keyRequests.filter((k) => k.uri.includes(tokenOf(urls[who]))).map((k) => k.status);
    return { alice, bob, aliceKeys: statuses('alice'), bobKeys: statuses('bob') };
  });
}

beforeAll(async () => {
  dev = await startDevProcess({ args: ['--live'] });
  browser = await launchChromium();
  const grants = await Promise.all([
    dev.keygate('grant', 'carol', CHANNEL),
    dev.keygate('grant', 'dave', CHANNEL),
    dev.keygate('grant', 'frank', CHANNEL, '--max-streams', '1'),
  ]);
  expect(grants.map((g) => g.code)).toEqual([0, 0, 0]);
  startScenarios();
});

afterAll(async () => {
  await Promise.allSettled(Object.values(scenarios));
  for (const viewer of viewers) await viewer.close().catch(() => {});
  await browser?.close();
  await dev?.stop();
});

describe('a private live channel in Chromium through keygate dev --live (hls.js, video.js and Shaka through the kit)', () => {
  it('plays live for a minute for an entitled viewer, across key changes, one request per key', async () => {
    const alice = (await scenarios.alice) as {
      start: number;
      end: number;
      state: PageState;
      keyRequests: string[];
      keyAnswers: KeyAnswer[];
    };
    expect(alice.state.fatal).toBeNull();
    expect(alice.end - alice.start).toBeGreaterThan(60);
    const periods = new Set(alice.state.buffered.map((f) => periodOf(f.key)));
    expect(periods.size).toBeGreaterThanOrEqual(4);
    // One request per key: each key is answered with the key once and never asked for after that. A key
    // is asked again only after a request for it failed: the kit retries a 503 (the authorizer's answer
    // when its store is slower than the request deadline, as on a loaded machine) and a lost request.
    for (const path of new Set(alice.keyRequests)) {
      const requests = alice.keyAnswers.filter((a) => a.path === path);
      const repeatedAfter = requests.slice(0, -1).filter((a) => a.status === 200 || a.status === undefined);
      expect({ path, repeatedAfterAKeyOrWhileOpen: repeatedAfter, requests }).toEqual({ path, repeatedAfterAKeyOrWhileOpen: [], requests });
    }
  });

  it('refuses bob, who owns nothing, with one refused key request and no playback', async () => {
    const bob = (await scenarios.bob) as { fatal: PageState['fatal']; keyAnswers: KeyAnswer[]; currentTime: number };
    expect(bob.fatal).toMatchObject({ status: 403, reason: 'not-entitled' });
    // One refusal ends it. Before it, only failed requests may have been retried (a 503 when a loaded
    // machine's store outran the request deadline, or a lost request), never an answer.
    const statuses = bob.keyAnswers.map((a) => a.status);
    expect({ statuses, refusedOnceAtTheEnd: statuses.at(-1) === 403 && statuses.slice(0, -1).every((s) => s === 503 || s === 0) }).toEqual({
      statuses,
      refusedOnceAtTheEnd: true,
    });
    expect(bob.currentTime).toBe(0);
  });

  it('stops a viewer whose purchase is revoked mid-stream within one key window plus the cache TTL', async () => {
    const carol = (await scenarios.carol) as {
      revokeCode: number;
      newestAtRevocation: number;
      fatal: PageState['fatal'];
      denials: PageState['denials'];
      keyPeriods: number[];
    };
    expect(carol.revokeCode).toBe(0);
    expect(carol.fatal).toMatchObject({ status: 403, reason: 'not-entitled' });
    const denied = periodOf(carol.denials[0].url);
    // Keys newer than the newest at revocation appear one per window; within the TTL one may still be allowed.
    expect(denied).toBeLessThanOrEqual(carol.newestAtRevocation + 1 + Math.ceil(ALLOW_TTL_SECONDS / KEY_WINDOW_SECONDS));
    expect(Math.max(...carol.keyPeriods)).toBe(denied);
  });

  it('asks a late joiner only for keys of the window it joined, never the channel’s earlier keys', async () => {
    const dave = (await scenarios.dave) as { windowAtJoin: number[]; keyPeriods: number[]; fatal: PageState['fatal'] };
    expect(dave.fatal).toBeNull();
    expect(dave.keyPeriods.length).toBeGreaterThan(0);
    expect(Math.min(...dave.keyPeriods)).toBeGreaterThanOrEqual(Math.min(...dave.windowAtJoin));
    expect(Math.min(...dave.windowAtJoin)).toBeGreaterThanOrEqual(3);
  });

  it('stops a rental that ends mid-event', async () => {
    const erin = (await scenarios.erin) as { fatal: PageState['fatal'] };
    expect(erin.fatal).toMatchObject({ status: 403, reason: 'entitlement-expired' });
  });

  it('refuses a second live device on a 1-stream plan while the first plays on', async () => {
    const frank = (await scenarios.frank) as { refused: PageState['fatal']; firstFatal: PageState['fatal'] };
    expect(frank.refused).toMatchObject({ status: 403, reason: 'stream-limit' });
    expect(frank.firstFatal).toBeNull();
  });

  it('plays a path-token live URL in ffmpeg, a native player, and refuses one for a viewer who owns nothing', async () => {
    const native = (await scenarios.native) as Record<'alice' | 'bob', { code: number; stderr: string }> &
      Record<'aliceKeys' | 'bobKeys', number[]>;
    expect(native.aliceKeys.length).toBeGreaterThan(0);
    expect(native.aliceKeys.filter((status) => status !== 200)).toEqual([]);
    expect(native.alice).toEqual({ code: 0, stderr: '' });
    expect(native.bob.code).not.toBe(0);
    expect(native.bob.stderr).toMatch(/Unable to open key file/);
    expect(native.bobKeys.length).toBeGreaterThan(0);
    expect(new Set(native.bobKeys)).toEqual(new Set([403]));
  });
});

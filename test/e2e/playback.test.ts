import { withKeygate } from './support/page-state';
import { playerSession } from './support/player-session';

// The authorizer's semantics seen from a real player (hls.js through the Keygate player kit):
// rendition switches, revocations, rentals. The demo video: 24 s in 2 s segments, a key every
// 2 segments (12 segments, 6 windows, 2 renditions). What every player does is in players.test.ts.
const session = playerSession();
const { scenario, signIn, play, waitForTime, waitForFatal, fatal, currentTime } = session;
const stats = () => session.stats();

/** Awaits the first refusal of the signed-in viewer's key (a rental ending, a revocation reaching past the cache); gives its status. */
const waitForKeyRefusal = () =>
  session.page.evaluate(async () => {
    for (;;) {
      const { status } = await fetch('/keys/demo/0.key', { cache: 'no-store' });
      if (status !== 200) return status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

describe('playback in Chromium with hls.js and the player kit through the local CloudFront emulator', () => {
  scenario('makes no extra key request when the rendition switches inside a rotation window', async () => {
    await signIn('alice');
    // Paused at 0 with a 1 s buffer goal: only the first segment (window 0) loads at the first rendition.
    await play({ autoplay: false, hlsConfig: { startLevel: 0, maxBufferLength: 1, maxMaxBufferLength: 1 } });
    await session.waitFor((keygate) => keygate.buffered.length >= 1);
    // Switch now: the player fetches the same position, still window 0, at the other rendition.
    await withKeygate(session.page, (keygate) => {
      const hls = keygate.hls as { currentLevel: number };
      hls.currentLevel = hls.currentLevel === 0 ? 1 : 0;
    });
    await session.waitFor((keygate) => new Set(keygate.buffered.map((f) => f.level)).size === 2);
    const frags = (await session.state()).buffered;
    expect(new Set(frags.map((f) => f.level)).size).toBe(2);
    expect(new Set(frags.map((f) => new URL(f.key).pathname))).toEqual(new Set(['/keys/demo/0.key']));
    expect((await stats()).keyRequests).toEqual([{ uri: '/keys/demo/0.key', status: 200 }]);
  });

  scenario(
    'stops playback at the next rotation window after a purchase is revoked mid-playback, and never plays a later window',
    async () => {
      await session.dev.keygate('grant', 'dora', 'demo');
      await signIn('dora');
      await play({ hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 } });
      await waitForTime(1);
      expect((await session.dev.keygate('revoke', 'dora', 'demo')).code).toBe(0);
      await waitForFatal();
      expect(await fatal()).toMatchObject({ status: 403, reason: 'not-entitled' });
      // The revocation shows once the authorizer's 2 s allow TTL has passed, at the next key window;
      // playback stops exactly there: every buffered fragment belongs to an earlier window.
      const windowOf = (uri: string) => Number(/\/(\d+)\.key$/.exec(uri)?.[1]);
      const denied = (await stats()).keyRequests.find((k) => k.status === 403);
      expect(denied).toBeDefined();
      const deniedWindow = windowOf(denied!.uri);
      const played = (await session.state()).buffered.map((f) => windowOf(f.key));
      expect(deniedWindow).toBeLessThan(6);
      expect(Math.max(...played)).toBe(deniedWindow - 1);
      expect(await currentTime()).toBeLessThanOrEqual(deniedWindow * 4);
    },
  );

  scenario('plays a rental, then refuses it once it has expired', async () => {
    expect((await session.dev.keygate('grant', 'erin', 'demo', '--for', '8s')).code).toBe(0);
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
    await session.dev.keygate('grant', 'fred', 'demo');
    await signIn('fred');
    await play();
    await waitForTime(1);
    expect((await session.dev.keygate('revoke-sessions', 'fred')).code).toBe(0);
    // Once the revocation reaches past the authorizer's allow cache, a fresh playback with the same cookie is refused.
    expect(await waitForKeyRefusal()).toBe(401);
    await play();
    await waitForFatal();
    expect(await fatal()).toMatchObject({ status: 401, reason: 'session-revoked' });
    await session.page.waitForFunction(() => /session-revoked/.test(document.getElementById('status')?.textContent ?? ''));
  });
});

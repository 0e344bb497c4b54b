import { PLAYERS, WHOLE_VIDEO_BUFFER, everyUri, playerSession, statusesByKeyUri } from './support/player-session';

// The demo video: 24 s in 2 s segments, a key every 2 segments (12 segments, 6 key URIs, 2 renditions).
const session = playerSession();
const { scenario } = session;

/** Long enough for a retry loop to show: video.js alone asked for a refused key about once a second. */
const RETRY_WATCH_MS = 3000;

describe.each(PLAYERS)('%s with the Keygate player kit, in Chromium through keygate dev', (player) => {
  scenario('plays for alice (cookie) with exactly one key request per key URI, and the authorizer runs on keys only', async () => {
    await session.signIn('alice');
    await session.play({ player, ...WHOLE_VIDEO_BUFFER });
    await session.waitForWholeVideoBuffered();
    await session.waitForTime(1);
    expect(await session.fatal()).toBeNull();
    expect(await session.framesDecoded()).toBeGreaterThan(0);
    const { keyUris, segmentCount } = await session.rotationWindows();
    const seen = await session.stats();
    expect(statusesByKeyUri(seen)).toEqual(everyUri(keyUris, [200]));
    expect(seen.requests.media).toBeGreaterThan(segmentCount);
    expect(seen.edgeInvocations).toBe(seen.keyRequests.length);
  });

  scenario('refuses bob with 403 not-entitled after one request for the refused key, and stops: no retry, nothing played', async () => {
    await session.signIn('bob');
    await session.play({ player });
    await session.waitForFatal();
    expect(await session.fatal()).toMatchObject({ status: 403, reason: 'not-entitled' });
    const atDenial = await session.stats();
    await session.page.waitForTimeout(RETRY_WATCH_MS);
    const later = await session.stats();
    expect(later.keyRequests).toEqual(atDenial.keyRequests);
    expect(Object.values(statusesByKeyUri(later))).toEqual([[403]]);
    // Stopped, not just quiet about keys: no more playlists or segments either.
    expect(later.requests.media).toBe(atDenial.requests.media);
    expect((await session.state()).denials).toHaveLength(1);
    expect(await session.currentTime()).toBe(0);
    await session.page.waitForFunction(() => /not-entitled \(HTTP 403\)/.test(document.getElementById('status')?.textContent ?? ''));
  });

  scenario('refuses an anonymous viewer with 401 no-credentials after one key request', async () => {
    await session.play({ player });
    await session.waitForFatal();
    expect(await session.fatal()).toMatchObject({ status: 401, reason: 'no-credentials' });
    expect(Object.values(statusesByKeyUri(await session.stats()))).toEqual([[401]]);
  });
});

describe('the demo page’s native URL', () => {
  scenario('offers the signed-in viewer a path-token URL that opens the keys with no cookie or header, as a native player', async () => {
    await session.signIn('alice');
    await session.play({ autoplay: false });
    const link = session.page.locator('#native-url');
    await link.waitFor({ state: 'visible' });
    const master = new URL((await link.getAttribute('href'))!, session.devUrl('/'));
    expect(master.pathname).toMatch(/^\/t\/[^/]+\/videos\/demo\/master\.m3u8$/);
    // What Safari would do with it: every URI relative to the playlist, so the key request keeps the token in its path.
    const variant = new URL(
      (await (await fetch(master)).text()).split('\n').find((line) => line.endsWith('.m3u8'))!,
      master,
    );
    const keyUri = /#EXT-X-KEY:.*URI="([^"]+)"/.exec(await (await fetch(variant)).text())![1];
    const key = await fetch(new URL(keyUri, variant));
    expect(key.status).toBe(200);
    expect((await key.arrayBuffer()).byteLength).toBe(16);
  });
});

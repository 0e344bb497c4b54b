import { everyUri, playerSession, statusesByKeyUri } from './support/player-session';

// The demo video lasts 24 s, 6 s at 4×: shorter than a 20 s token. So each test plays the first key
// window, pauses (as a viewer would) until the token has expired, then plays on to the end: every
// later key is asked for with an expired token, at real time past its lifetime.
const session = playerSession();
const { scenario } = session;
const TOKEN_SECONDS = 20;
/** A small buffer goal, so that the keys of later windows are fetched as playback reaches them. */
const SMALL_BUFFER = {
  hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 },
  shakaConfig: { streaming: { bufferingGoal: 2, rebufferingGoal: 1 } },
};

const expiryOf = (jwt: string): number => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { exp: number }).exp;

/** Pauses after the first window, waits on the browser's clock until the token is past its expiry, and plays to the end. */
async function outliveToken(expiresAt: number): Promise<void> {
  await session.waitForTime(1);
  await session.pause();
  await session.page.waitForFunction((exp) => Date.now() / 1000 > exp + 0.5, expiresAt, { timeout: (TOKEN_SECONDS + 10) * 1000 });
  await session.resume();
  await session.waitForEnded();
}

/** Every key ends with one 200; a key refused as token-expired was asked for once more, never twice. */
async function expectRefreshedKeys(): Promise<void> {
  const { keyUris } = await session.rotationWindows();
  const byUri = statusesByKeyUri(await session.stats());
  const refreshedUris = Object.keys(byUri).filter((uri) => byUri[uri][0] === 401);
  expect(refreshedUris.length).toBeGreaterThan(0);
  expect(byUri).toEqual({ ...everyUri(keyUris, [200]), ...everyUri(refreshedUris, [401, 200]) });
  expect((await session.state()).tokenRefreshes).toBeGreaterThan(0);
}

describe('a playback outlives its 20 s token: the kit calls getToken() on 401 token-expired and retries the key once', () => {
  scenario('with the cookie (hls.js): getToken() signs in again, which refreshes the cookie', async () => {
    await session.signIn('alice', TOKEN_SECONDS);
    const cookie = (await session.page.context().cookies()).find((c) => c.name === 'keygate_token');
    expect(cookie).toBeDefined();
    await session.play({ player: 'hls.js', auth: 'cookie', ttl: TOKEN_SECONDS, ...SMALL_BUFFER });
    await outliveToken(expiryOf(cookie!.value));
    expect(await session.fatal()).toBeNull();
    expect(await session.framesDecoded()).toBeGreaterThan(0);
    await expectRefreshedKeys();
  });

  scenario('with a bearer token (Shaka): getToken() fetches a fresh token for key requests', async () => {
    const token = await session.token('alice', TOKEN_SECONDS);
    await session.play({ player: 'shaka', auth: 'bearer', bearer: token, as: 'alice', ttl: TOKEN_SECONDS, ...SMALL_BUFFER });
    await outliveToken(expiryOf(token));
    expect(await session.fatal()).toBeNull();
    expect(await session.framesDecoded()).toBeGreaterThan(0);
    expect((await session.stats()).mediaRequestsWithAuthorization).toBe(0);
    await expectRefreshedKeys();
  });
});

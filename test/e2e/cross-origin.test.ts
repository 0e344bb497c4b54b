import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { playerPage } from '../../lib/dev/player-page';
import { PLAYERS, WHOLE_VIDEO_BUFFER, everyUri, playerSession, statusesByKeyUri } from './support/player-session';

// The player page embedded on another origin: a second server on 127.0.0.1 (another port) serves the
// demo page with every URL pointing at `keygate dev`, which allows that origin (--allow-origin).
let pageServer: Server;
let pageOrigin: string;

beforeAll(async () => {
  pageServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(playerPage({ serverUrl: session.dev.ready.url }));
  });
  await new Promise<void>((listening) => pageServer.listen(0, '127.0.0.1', listening));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  pageServer?.closeAllConnections();
  await new Promise((closed) => pageServer?.close(closed));
});

const session = playerSession({ devArgs: () => ['--allow-origin', pageOrigin], pageUrl: () => `${pageOrigin}/` });
const { scenario } = session;

describe.each(PLAYERS)('%s on a page of another origin', (player) => {
  scenario(
    'plays with a bearer token: the authorizer answers each key’s CORS preflight, and only key requests carry the token',
    async () => {
      const token = await session.token('alice');
      await session.play({ player, bearer: token, ...WHOLE_VIDEO_BUFFER });
      await session.waitForWholeVideoBuffered();
      await session.waitForTime(1);
      expect(await session.fatal()).toBeNull();
      expect(await session.framesDecoded()).toBeGreaterThan(0);
      const { keyUris } = await session.rotationWindows();
      const seen = await session.stats();
      // The Authorization header makes each key request preflighted: OPTIONS (204), then one GET.
      expect(statusesByKeyUri(seen)).toEqual(everyUri(keyUris, [204, 200]));
      expect(seen.mediaRequestsWithAuthorization).toBe(0);
      expect(seen.edgeInvocations).toBe(seen.keyRequests.length);
    },
  );
});

describe('hls.js on a page of another origin', () => {
  scenario('is told of a denial with its status and reason (the x-keygate-reason header is CORS-exposed)', async () => {
    await session.play({ player: 'hls.js', bearer: await session.token('bob') });
    await session.waitForFatal();
    expect(await session.fatal()).toMatchObject({ status: 403, reason: 'not-entitled' });
    expect(Object.values(statusesByKeyUri(await session.stats()))).toEqual([[204, 403]]);
  });

  scenario('plays with the sign-in cookie sent withCredentials (another port of 127.0.0.1 is the same site)', async () => {
    await session.signIn('alice');
    await session.play({ player: 'hls.js', auth: 'cookie' });
    await session.waitForWholeVideoBuffered();
    expect(await session.fatal()).toBeNull();
    const { keyUris } = await session.rotationWindows();
    // No custom header, no preflight: one credentialed GET per key, opened by the cookie alone.
    expect(statusesByKeyUri(await session.stats())).toEqual(everyUri(keyUris, [200]));
  });
});

import { join, posix } from 'node:path';
import { deriveTitle } from '../../bench/harness/derived-title';
import { openDemoPage, type DemoPlayer } from '../../bench/harness/demo-page';
import { PLAYERS, playerSession, statusesByKeyUri } from './support/player-session';
import { startRecordingOrigin, type RecordedRequest } from './support/recording-origin';

// The adversary: a playlist naming a key, and a segment whose path contains /keys/, on a host of its
// own (a second local server, another origin of the same site as the page). The kit must send it
// neither the bearer token nor the sign-in cookie, before or after a token refresh, and the
// same-origin keys must still play. Each player gets its own hostile title (the demo's lowest
// rendition, 6 key windows), played at the same time in separate browser contexts.
const session = playerSession();
const { scenario } = session;
let recorder: Awaited<ReturnType<typeof startRecordingOrigin>>;

/** Windows whose key the hostile playlist puts on the recording server: one before the refresh, one after. */
const FOREIGN_KEYS = [1, 3];
/** The window one of whose segments is on the recording server, under `/x/keys/`. */
const FOREIGN_SEGMENT_WINDOW = 4;
const WINDOWS = 6;
const TOKEN_SECONDS = 10;

const slugOf = (player: DemoPlayer) => player.replace('.', '');
const originDir = () => join(session.dev.dataDir, 'origin');
let rendition: string;

beforeAll(async () => {
  recorder = await startRecordingOrigin((path) => {
    const key = /^\/[a-z]+\/keys\/demo\/(\d+)\.key$/.exec(path);
    if (key) return join(originDir(), 'keys', 'demo', `${key[1]}.key`);
    const segment = /^\/[a-z]+\/x\/keys\/(seg\d+\.ts)$/.exec(path);
    return segment ? join(originDir(), 'videos', 'demo', rendition, segment[1]) : undefined;
  });
  for (const player of PLAYERS) {
    const slug = slugOf(player);
    let foreignSegmentPlaced = false;
    ({ rendition } = deriveTitle({
      originDir: originDir(),
      from: 'demo',
      to: `hostile-${slug}`,
      windows: WINDOWS,
      keyUri: (window, uri) => (FOREIGN_KEYS.includes(window) ? `${recorder.origin}/${slug}/keys/demo/${window}.key` : uri),
      segmentUri: (_index, uri, window) => {
        if (window !== FOREIGN_SEGMENT_WINDOW || foreignSegmentPlaced) return uri;
        foreignSegmentPlaced = true;
        return `${recorder.origin}/${slug}/x/keys/${posix.basename(uri)}`;
      },
    }));
  }
});

afterAll(async () => {
  await recorder?.close();
});

const recordedFor = (player: DemoPlayer): RecordedRequest[] => recorder.requests.filter((r) => r.path.startsWith(`/${slugOf(player)}/`));
const expiryOf = (jwt: string): number => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { exp: number }).exp;

describe('key and segment URIs on another origin', () => {
  scenario(
    'get neither the bearer token nor the cookie from any player, before or after a token refresh, and the same-origin keys play',
    async () => {
      await Promise.all(
        PLAYERS.map(async (player) => {
          const page = await openDemoPage(session.browser, session.dev.ready.url);
          try {
            // A sign-in cookie on 127.0.0.1 (every port): a credentialed request to the recorder would carry it.
            await page.signIn('alice');
            const token = await session.token('alice', TOKEN_SECONDS);
            await page.play(`hostile-${slugOf(player)}`, {
              player,
              auth: 'bearer',
              bearer: token,
              as: 'alice',
              ttl: 3600,
              kit: { withCredentials: true },
            });
            // Play the first window, then wait paused until the token has expired: the next same-origin key
            // is refused as token-expired, the kit refreshes, and the later foreign requests follow the refresh.
            await page.pauseAt(1);
            expect(recordedFor(player).map((r) => r.path)).not.toContain(`/${slugOf(player)}/keys/demo/3.key`);
            await page.waitUntil(expiryOf(token) + 0.5);
            await page.resume();
            const settled = await page.waitForEndOrDenial(60_000);
            const state = await page.state();
            // The playhead and buffer are in the received object, so a stall says which player, where.
            const at = { currentTime: state.currentTime, furthest: state.furthest };
            expect({ player, settled, ended: state.ended, fatal: state.fatal, denials: state.denials, ...at }).toEqual({
              player,
              settled: true,
              ...at,
              ended: true,
              fatal: null,
              denials: [],
            });
            expect(state.framesDecoded).toBeGreaterThan(0);
            expect(state.tokenRefreshes).toBeGreaterThan(0);
          } finally {
            await page.close();
          }
        }),
      );

      for (const player of PLAYERS) {
        const seen = recordedFor(player);
        const slug = slugOf(player);
        // The players did ask the recorder, through their own loaders…
        expect(new Set(seen.map((r) => r.path))).toEqual(
          new Set([
            `/${slug}/keys/demo/1.key`,
            `/${slug}/keys/demo/3.key`,
            expect.stringMatching(new RegExp(`^/${slug}/x/keys/seg\\d+\\.ts$`)) as unknown as string,
          ]),
        );
        // …with nothing of the viewer's: no token, no cookie, not even a preflight asking to send a header.
        for (const request of seen) {
          expect({ player, method: request.method, authorization: request.headers.authorization, cookie: request.headers.cookie }).toEqual({
            player,
            method: 'GET',
            authorization: undefined,
            cookie: undefined,
          });
        }
      }
      // The same-origin keys, three players each: key 2 was the first asked for with the expired token.
      const byUri = statusesByKeyUri(await session.stats());
      const sorted = Object.fromEntries(Object.entries(byUri).map(([uri, statuses]) => [uri, [...statuses].sort()]));
      expect(sorted).toEqual({
        '/keys/demo/0.key': [200, 200, 200],
        '/keys/demo/2.key': [200, 200, 200, 401, 401, 401],
        '/keys/demo/4.key': [200, 200, 200],
        '/keys/demo/5.key': [200, 200, 200],
      });
    },
  );

  scenario('get the token when their origin is listed in keyOrigins: the option works, and the recorder would see a leak', async () => {
    const page = await openDemoPage(session.browser, session.dev.ready.url);
    try {
      const before = recordedFor('hls.js').length;
      await page.play('hostile-hlsjs', {
        player: 'hls.js',
        bearer: await session.token('alice'),
        kit: { keyOrigins: [new URL(session.dev.ready.url).origin, recorder.origin] },
      });
      await page.waitForTime(6);
      const keyRequests = recordedFor('hls.js')
        .slice(before)
        .filter((r) => r.path.endsWith('/keys/demo/1.key'));
      expect(keyRequests.map((r) => [r.method, r.headers.authorization?.startsWith('Bearer ')])).toEqual([
        ['OPTIONS', undefined],
        ['GET', true],
      ]);
    } finally {
      await page.close();
    }
  });
});

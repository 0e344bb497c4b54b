import type { StoreFault } from '../../lib/dev/store-fault-proxy';
import { playerSession } from './support/player-session';

// A real player (hls.js through the player kit) on `keygate dev --stale-if-error 60 --store-faults`:
// the authorizer reaches the table only through a fault proxy the test switches. The dev stack's
// allow TTL is 2 s, so at real-time speed every later key window is asked of the store.
const session = playerSession({ devArgs: () => ['--stale-if-error', '60', '--store-faults'] });
const { scenario, signIn, play, waitForTime, fatal } = session;

const setStoreFault = async (fault: StoreFault) => {
  const response = await fetch(session.devUrl('/__keygate/store-fault'), { method: 'POST', body: fault });
  expect(response.status).toBe(200);
};
const storeRequests = async () =>
  ((await (await fetch(session.devUrl('/__keygate/store-fault'))).json()) as { met: Record<StoreFault, number> }).met;

afterEach(() => setStoreFault('pass'));

describe('the degraded mode seen from a real player', () => {
  scenario('keeps a viewer who was playing going through a store outage, and gives no key to one it never allowed', async () => {
    await signIn('alice');
    await play({ playbackRate: 1, hlsConfig: { maxBufferLength: 2, maxMaxBufferLength: 2 } });
    await waitForTime(0.5);
    await setStoreFault('blackhole');
    const blackholedBefore = (await storeRequests()).blackhole;
    // Windows 1 to 3 are asked for at 4, 8 and 12 s, long after alice's allow left the cache.
    await waitForTime(13);
    expect(await fatal()).toBeNull();
    const keyStatuses = (await session.stats()).keyRequests.map((k) => [k.uri, k.status]);
    expect(keyStatuses.filter(([uri]) => uri !== '/keys/demo/0.key').length).toBeGreaterThanOrEqual(3);
    expect(keyStatuses.every(([, status]) => status === 200)).toBe(true);
    // Each of those was a stale allow: the store was asked and never answered.
    expect((await storeRequests()).blackhole).toBeGreaterThan(blackholedBefore);

    // bob is granted now, but this edge never allowed him: no key until the store answers again.
    expect((await session.dev.keygate('grant', 'bob', 'demo')).code).toBe(0);
    await signIn('bob');
    const refused = await session.page.evaluate(async () => {
      const response = await fetch('/keys/demo/1.key', { cache: 'no-store' });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), bytes: (await response.arrayBuffer()).byteLength };
    });
    expect(refused).toMatchObject({ status: 503, retryAfter: '2' });
    expect(refused.bytes).not.toBe(16);

    await setStoreFault('pass');
    const restored = await session.page.evaluate(async () => (await fetch('/keys/demo/1.key', { cache: 'no-store' })).status);
    expect(restored).toBe(200);
  });
});

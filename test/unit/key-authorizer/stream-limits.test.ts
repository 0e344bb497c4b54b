import { bearer, makeAuthorizer, reasonOf, statusOf } from '../../fixtures/authorizer-harness';
import { makeToken } from '../../fixtures/authorizer-fixtures';

const KEY = '/keys/movie/0.key';
const LEASE = 60;

/** alice on a plan of `maxStreams` (the `*` item), and a token per playback session. */
function planOf(maxStreams: number | undefined, configOverrides = {}) {
  const authorizer = makeAuthorizer(configOverrides);
  authorizer.store.grant('alice', '*', maxStreams === undefined ? {} : { maxStreams });
  const tokens = new Map<string, string>();
  const tokenFor = (sessionId: string) => {
    if (!tokens.has(sessionId)) tokens.set(sessionId, makeToken('alice', { psid: sessionId }));
    return tokens.get(sessionId) as string;
  };
  const play = (sessionId: string, uri = KEY, clientIp = '198.51.100.7') =>
    authorizer.authorize({ uri, headers: bearer(tokenFor(sessionId)), clientIp });
  const advance = (seconds: number) => {
    authorizer.clock.nowMs += seconds * 1000;
  };
  return { ...authorizer, play, advance };
}

describe('a viewer without a stream limit', () => {
  it('gets the key without any lease read or write', async () => {
    const { play, leases } = planOf(undefined);
    expect(statusOf(await play('session-one'))).toBe(200);
    expect(leases.calls).toEqual([]);
  });

  it('needs no session id', async () => {
    const { authorize, store } = makeAuthorizer();
    store.grant('bob', 'movie');
    expect(statusOf(await authorize({ uri: KEY, headers: bearer(makeToken('bob')) }))).toBe(200);
  });
});

describe('a viewer on a limited plan', () => {
  it('without a session id is refused session-required (a token shared by every playback cannot be counted)', async () => {
    const { authorize, leases } = planOf(2);
    const outcome = await authorize({ uri: KEY, headers: bearer(makeToken('alice')) });
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([403, 'session-required']);
    expect(leases.calls).toEqual([]);
  });

  it('at limit 0 is refused stream-limit without touching the store', async () => {
    const { play, leases } = planOf(0);
    expect(reasonOf(await play('session-one'))).toBe('stream-limit');
    expect(leases.calls).toEqual([]);
  });

  it('starts a session with a failed renewal, one read of the leases and one conditional write', async () => {
    const { play, leases, logs } = planOf(2);
    expect(statusOf(await play('session-one'))).toBe(200);
    expect(leases.calls).toEqual(['renew', 'leasesOf', 'start']);
    expect(logs.at(-1)?.lease).toBe('started');
  });

  it('renews with exactly one conditional write per key window afterwards', async () => {
    const { play, leases, advance, store } = planOf(2);
    await play('session-one');
    const lookups = store.lookups;
    leases.calls.length = 0;
    for (let window = 1; window <= 10; window++) {
      advance(LEASE / 2);
      expect(statusOf(await play('session-one', `/keys/movie/${window}.key`))).toBe(200);
    }
    // One settle check in the whole playback: its first renewal after settleSeconds.
    expect(leases.calls.filter((c) => c === 'renew')).toHaveLength(10);
    expect(leases.calls.filter((c) => c !== 'renew')).toEqual(['leasesOf', 'markChecked']);
    // The records are read as for any viewer: windows of 30 s outlive the 30 s allow TTL, one lookup each.
    expect(store.lookups - lookups).toBe(10);
  });

  it('shares one renewal among the requests of one key window (another rendition, a player asking per segment)', async () => {
    const { play, leases, advance, logs } = planOf(2);
    await play('session-one');
    leases.calls.length = 0;
    advance(5);
    await play('session-one', '/keys/movie/1.key');
    expect(logs.at(-1)?.lease).toBe('recent');
    expect(leases.calls).toEqual([]);
  });

  it('admits two sessions at limit 2 and refuses a third with stream-limit', async () => {
    const { play } = planOf(2);
    expect(statusOf(await play('session-one'))).toBe(200);
    expect(statusOf(await play('session-two'))).toBe(200);
    const third = await play('session-three');
    expect([statusOf(third), reasonOf(third)]).toEqual([403, 'stream-limit']);
  });

  it('admits the third once a session stops renewing and its lease expires, not before', async () => {
    const { play, advance } = planOf(2);
    await play('session-one');
    await play('session-two');
    advance(LEASE - 1);
    await play('session-one', '/keys/movie/1.key');
    expect(reasonOf(await play('session-three'))).toBe('stream-limit');
    advance(1);
    expect(statusOf(await play('session-three'))).toBe(200);
  });

  it('does not let a cached allow of one session admit another', async () => {
    const { play, store } = planOf(1);
    await play('session-one');
    const lookups = store.lookups;
    const second = await play('session-two');
    expect(store.lookups).toBe(lookups); // the records came from the cache…
    expect(reasonOf(second)).toBe('stream-limit'); // …and the lease check still ran
  });

  it('refuses an ended session session-ended at its next key request, while another session keeps playing', async () => {
    const { play, advance, leases, clock } = planOf(2);
    await play('session-one');
    await play('session-two');
    leases.end('alice', 'session-one', Math.floor(clock.nowMs / 1000));
    advance(LEASE / 2);
    const ended = await play('session-one', '/keys/movie/1.key');
    expect([statusOf(ended), reasonOf(ended)]).toEqual([403, 'session-ended']);
    expect(statusOf(await play('session-two', '/keys/movie/1.key'))).toBe(200);
  });

  it('never restarts an ended session, even after its lease would have expired', async () => {
    const { play, advance, leases, clock } = planOf(2);
    await play('session-one');
    leases.end('alice', 'session-one', Math.floor(clock.nowMs / 1000));
    advance(LEASE * 3);
    expect(reasonOf(await play('session-one'))).toBe('session-ended');
  });

  it('gives way at its settle check when it started beside others that fill the plan', async () => {
    const { play, advance, leases, clock } = planOf(1);
    await play('session-one');
    // Another region admitted an earlier session at the same moment; its lease has now replicated here.
    const nowSeconds = Math.floor(clock.nowMs / 1000);
    leases.leases.set('alice\nearlier-session', {
      uid: 'alice',
      sessionId: 'earlier-session',
      videoId: 'movie',
      region: 'us-east-1',
      startedAt: nowSeconds - 1,
      renewedAt: nowSeconds - 1,
      expiresAt: nowSeconds + LEASE,
    });
    advance(LEASE / 2);
    expect(reasonOf(await play('session-one', '/keys/movie/1.key'))).toBe('stream-limit');
    // Its lease lapses at once, so it holds no stream anywhere once replicated.
    expect(leases.leases.get('alice\nsession-one')?.expiresAt).toBe(Math.floor(clock.nowMs / 1000));
  });

  it('answers 503 and never a key when the lease store fails', async () => {
    const { play, leases, logs } = planOf(2);
    leases.failing = true;
    const outcome = await play('session-one');
    expect([statusOf(outcome), reasonOf(outcome)]).toEqual([503, 'store-unavailable']);
    expect(logs.at(-1)?.storeCause).toBe('unavailable');
  });

  it('takes the per-video limit of a grant over the plan', async () => {
    const { play, store } = planOf(5);
    store.grant('alice', 'movie', { maxStreams: 1 });
    expect(statusOf(await play('session-one'))).toBe(200);
    expect(reasonOf(await play('session-two'))).toBe('stream-limit');
  });

  it('applies the configured default to grants that name no limit', async () => {
    const { play } = planOf(undefined, {
      streams: { sessionIdClaim: 'psid', leaseSeconds: LEASE, settleSeconds: 3, defaultMaxStreams: 1 },
    });
    expect(statusOf(await play('session-one'))).toBe(200);
    expect(reasonOf(await play('session-two'))).toBe('stream-limit');
  });

  describe('bound to the network it plays from', () => {
    const HOME = '198.51.100.7';
    const ELSEWHERE = '203.0.113.9';

    it('keeps renewing from addresses of the same /24 network', async () => {
      const { play, advance } = planOf(2);
      expect(statusOf(await play('session-one', KEY, HOME))).toBe(200);
      advance(LEASE / 2);
      expect(statusOf(await play('session-one', '/keys/movie/1.key', '198.51.100.200'))).toBe(200);
    });

    it('moves once to a new network (a viewer leaving Wi-Fi), and the old network is then refused', async () => {
      const { play, advance, logs } = planOf(2);
      await play('session-one', KEY, HOME);
      advance(LEASE / 2);
      expect(statusOf(await play('session-one', '/keys/movie/1.key', ELSEWHERE))).toBe(200);
      expect(logs.at(-1)?.lease).toBe('moved');
      advance(LEASE / 2);
      expect(reasonOf(await play('session-one', '/keys/movie/2.key', HOME))).toBe('stream-limit');
      expect(statusOf(await play('session-one', '/keys/movie/2.key', ELSEWHERE))).toBe(200);
    });

    it('lets two devices sharing one session id play on only one of them (a refused player stops, as the kit does)', async () => {
      const { play, advance } = planOf(5);
      const outcomes: Record<string, number[]> = { [HOME]: [], [ELSEWHERE]: [] };
      for (let window = 0; window < 8; window++) {
        for (const ip of [HOME, ELSEWHERE]) {
          if (outcomes[ip].includes(403)) continue;
          outcomes[ip].push(statusOf(await play('shared-session', `/keys/movie/${window}.key`, ip)));
        }
        advance(LEASE / 2);
      }
      // The copy takes the session over once; the original is refused at its next key and stops.
      expect(outcomes[HOME]).toEqual([200, 403]);
      expect(outcomes[ELSEWHERE]).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    });

    it('lets a session move at most once per lease period, however often copies ask', async () => {
      const { play, advance, logs } = planOf(5);
      const windows = 12;
      for (let window = 0; window < windows; window++) {
        for (const ip of [HOME, ELSEWHERE]) await play('shared-session', `/keys/movie/${window}.key`, ip);
        advance(LEASE / 2);
      }
      const moves = logs.filter((entry) => entry.lease === 'moved').length;
      expect(moves).toBeGreaterThan(0);
      expect(moves).toBeLessThanOrEqual((windows * (LEASE / 2)) / LEASE);
    });
  });
});

import { KeyFetcher, type KeyFetcherDeps } from '../../lib/player-kit/key-fetcher';
import { decideKeyAction, retryAfterMs, type KeyResponseFacts } from '../../lib/player-kit/key-response-policy';
import { KeygateKitOptionsError, parseKitOptions, type KeyDenial, type KeygateKitOptions } from '../../lib/player-kit/kit-options';

// The kit's policy and fetcher, without a browser: the same code every player adapter runs.
// (Pure and fast, they would sit in test/unit; they live here beside the kit's e2e tests for now.)

const NOW = Date.parse('2030-01-01T00:00:00Z');
const KEY = 'https://video.example.com/keys/movie/0.key';
const OTHER_KEY = 'https://video.example.com/keys/movie/1.key';
const KEY_BYTES = new Uint8Array(16).fill(7);

const facts = (status: number, reason: string | null = null, retryAfter: string | null = null): KeyResponseFacts => ({
  status,
  reason,
  retryAfter,
});
const fresh = { refreshed: false, unavailableRetries: 0, jwksRetried: false };
const limits = { canRefresh: true, maxUnavailableRetries: 3 };

describe('decideKeyAction: what the kit does with a key response', () => {
  it('uses a 200', () => {
    expect(decideKeyAction(facts(200), fresh, limits, NOW)).toEqual({ kind: 'use' });
  });

  it('refreshes the token and retries once on 401 token-expired', () => {
    expect(decideKeyAction(facts(401, 'token-expired'), fresh, limits, NOW)).toEqual({ kind: 'refresh-and-retry' });
  });

  it('stops on a second 401 token-expired for the same key', () => {
    expect(decideKeyAction(facts(401, 'token-expired'), { ...fresh, refreshed: true }, limits, NOW)).toEqual({
      kind: 'stop',
      status: 401,
      reason: 'token-expired',
    });
  });

  it('stops on 401 token-expired when there is no getToken()', () => {
    expect(decideKeyAction(facts(401, 'token-expired'), fresh, { ...limits, canRefresh: false }, NOW).kind).toBe('stop');
  });

  it.each([
    [401, 'no-credentials'],
    [401, 'session-revoked'],
    [403, 'not-entitled'],
    [403, null],
  ])('stops on %i %s without retrying', (status, reason) => {
    expect(decideKeyAction(facts(status, reason), fresh, limits, NOW)).toEqual({ kind: 'stop', status, reason });
  });

  it('waits for Retry-After, then retries a 503', () => {
    expect(decideKeyAction(facts(503, 'store-unavailable', '2'), fresh, limits, NOW)).toEqual({
      kind: 'wait-and-retry',
      delayMs: 2000,
      retrying: 'store-unavailable',
    });
  });

  it('stops once the 503 retries are spent', () => {
    expect(decideKeyAction(facts(503, 'store-unavailable', '2'), { ...fresh, unavailableRetries: 3 }, limits, NOW)).toEqual({
      kind: 'stop',
      status: 503,
      reason: 'store-unavailable',
    });
  });

  it.each([404, 500, 502])('leaves a %i to the player', (status) => {
    expect(decideKeyAction(facts(status), fresh, limits, NOW)).toEqual({ kind: 'fail' });
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds', () => expect(retryAfterMs('3', NOW)).toBe(3000));
  it('reads an HTTP date', () => expect(retryAfterMs(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000));
  it('waits a second when the header is missing or unreadable (cross-origin it is not exposed)', () => {
    expect(retryAfterMs(null, NOW)).toBe(1000);
    expect(retryAfterMs('soon', NOW)).toBe(1000);
  });
  it('never waits longer than 30 s, nor less than nothing', () => {
    expect(retryAfterMs('3600', NOW)).toBe(30_000);
    expect(retryAfterMs(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
  });
});

describe('parseKitOptions', () => {
  it('refuses an unknown auth mode', () => {
    expect(() => parseKitOptions({ auth: 'header' } as unknown as KeygateKitOptions)).toThrow(KeygateKitOptionsError);
  });
  it('refuses bearer mode with neither a token nor getToken()', () => {
    expect(() => parseKitOptions({ auth: 'bearer' })).toThrow(/token/);
  });
  it('refuses an unbounded number of 503 retries', () => {
    expect(() => parseKitOptions({ auth: 'cookie', maxUnavailableRetries: 1000 })).toThrow(/maxUnavailableRetries/);
  });
});

/** A scripted server: each call to fetch takes the next answer; what was asked is kept. */
function scriptedFetch(answers: (() => Response)[]) {
  const calls: { url: string; headers: Record<string, string>; credentials?: RequestCredentials }[] = [];
  const fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) }, credentials: init?.credentials });
    const answer = answers.shift();
    if (!answer) throw new Error('no more scripted answers');
    return answer();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}
const key = () => new Response(KEY_BYTES, { status: 200 });
const refusal =
  (status: number, reason: string, headers: Record<string, string> = {}) =>
  () =>
    new Response('', { status, headers: { 'x-keygate-reason': reason, ...headers } });
const networkError = (): Response => {
  throw new TypeError('Failed to fetch');
};

function fetcherWith(options: KeygateKitOptions, answers: (() => Response)[]) {
  const server = scriptedFetch(answers);
  const denials: KeyDenial[] = [];
  const sleeps: number[] = [];
  const deps: KeyFetcherDeps = { fetch: server.fetch, sleep: async (ms) => void sleeps.push(ms), now: () => NOW };
  // KEY's origin is the key origin, as if the player had loaded a source there.
  const fetcher = new KeyFetcher({ ...parseKitOptions(options), onDenied: (d) => denials.push(d) }, deps);
  fetcher.keyOrigins.useSource(KEY);
  return { fetcher, calls: server.calls, denials, sleeps };
}

describe('KeyFetcher', () => {
  it('asks the network once per key URL, however often and concurrently the player asks', async () => {
    const { fetcher, calls } = fetcherWith({ auth: 'cookie' }, [key]);
    const results = await Promise.all([fetcher.fetchKey(KEY), fetcher.fetchKey(KEY)]);
    await fetcher.fetchKey(KEY);
    expect(calls).toHaveLength(1);
    expect(results.map((r) => r.kind)).toEqual(['key', 'key']);
  });

  it('keeps a refusal for the playback: the player asking again costs no request, and the integrator hears of it once', async () => {
    const { fetcher, calls, denials } = fetcherWith({ auth: 'cookie' }, [refusal(403, 'not-entitled')]);
    const first = await fetcher.fetchKey(KEY);
    const again = await fetcher.fetchKey(KEY);
    expect(calls).toHaveLength(1);
    expect(first).toEqual({ kind: 'denied', denial: { status: 403, reason: 'not-entitled', url: KEY } });
    expect(again).toEqual(first);
    expect(denials).toEqual([{ status: 403, reason: 'not-entitled', url: KEY }]);
  });

  it('forgets a failure that is not Keygate’s answer, so the player’s own retry reaches the network', async () => {
    const { fetcher, calls } = fetcherWith({ auth: 'cookie' }, [networkError, key]);
    expect(await fetcher.fetchKey(KEY)).toEqual({ kind: 'failed', status: 0, reason: null });
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect(calls).toHaveLength(2);
  });

  it('sends no Authorization header in cookie mode, and credentials across origins only when asked', async () => {
    const same = fetcherWith({ auth: 'cookie' }, [key]);
    await same.fetcher.fetchKey(KEY);
    const cross = fetcherWith({ auth: 'cookie', withCredentials: true }, [key]);
    await cross.fetcher.fetchKey(KEY);
    expect(same.calls[0]).toMatchObject({ headers: {}, credentials: 'same-origin' });
    expect(cross.calls[0]).toMatchObject({ headers: {}, credentials: 'include' });
  });

  it('sends the bearer token, fetching one with getToken() first when none was given', async () => {
    const getToken = jest.fn(async () => 'fresh');
    const { fetcher, calls } = fetcherWith({ auth: 'bearer', getToken }, [key]);
    await fetcher.fetchKey(KEY);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(calls[0].headers).toEqual({ authorization: 'Bearer fresh' });
  });

  it('on 401 token-expired calls getToken() and retries the key once with the new token', async () => {
    const getToken = jest.fn(async () => 'new');
    const { fetcher, calls, denials } = fetcherWith({ auth: 'bearer', token: 'old', getToken }, [refusal(401, 'token-expired'), key]);
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect(calls.map((c) => c.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(denials).toEqual([]);
  });

  it('in cookie mode retries after getToken() has refreshed the cookie, still without a header', async () => {
    const getToken = jest.fn(async () => undefined);
    const { fetcher, calls } = fetcherWith({ auth: 'cookie', getToken }, [refusal(401, 'token-expired'), key]);
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect(calls.map((c) => c.headers)).toEqual([{}, {}]);
  });

  it('gives up after one refresh when the key is still refused', async () => {
    const getToken = jest.fn(async () => 'new');
    const { fetcher, calls, denials } = fetcherWith({ auth: 'bearer', token: 'old', getToken }, [
      refusal(401, 'token-expired'),
      refusal(401, 'token-expired'),
    ]);
    expect(await fetcher.fetchKey(KEY)).toMatchObject({ kind: 'denied', denial: { status: 401, reason: 'token-expired' } });
    expect(calls).toHaveLength(2);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(denials).toHaveLength(1);
  });

  it('calls getToken() once for keys refused as token-expired at the same time', async () => {
    const getToken = jest.fn(async () => 'new');
    const { fetcher, calls } = fetcherWith({ auth: 'bearer', token: 'old', getToken }, [
      refusal(401, 'token-expired'),
      refusal(401, 'token-expired'),
      key,
      key,
    ]);
    const results = await Promise.all([fetcher.fetchKey(KEY), fetcher.fetchKey(OTHER_KEY)]);
    expect(results.map((r) => r.kind)).toEqual(['key', 'key']);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(calls.slice(2).map((c) => c.headers.authorization)).toEqual(['Bearer new', 'Bearer new']);
  });

  it('stops with the refusal when getToken() fails', async () => {
    const { fetcher, denials } = fetcherWith(
      {
        auth: 'bearer',
        token: 'old',
        getToken: async () => {
          throw new Error('signed out');
        },
      },
      [refusal(401, 'token-expired')],
    );
    expect(await fetcher.fetchKey(KEY)).toMatchObject({ kind: 'denied', denial: { status: 401, reason: 'token-expired' } });
    expect(denials).toHaveLength(1);
  });

  it('retries a 503 after its Retry-After delay', async () => {
    const { fetcher, calls, sleeps } = fetcherWith({ auth: 'cookie' }, [refusal(503, 'store-unavailable', { 'retry-after': '2' }), key]);
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect(sleeps).toEqual([2000]);
    expect(calls).toHaveLength(2);
  });

  it('stops after the bounded number of 503 retries and tells the integrator', async () => {
    const unavailable = refusal(503, 'store-unavailable', { 'retry-after': '1' });
    const { fetcher, calls, denials } = fetcherWith({ auth: 'cookie', maxUnavailableRetries: 2 }, [unavailable, unavailable, unavailable]);
    expect(await fetcher.fetchKey(KEY)).toMatchObject({ kind: 'denied', denial: { status: 503, reason: 'store-unavailable' } });
    expect(calls).toHaveLength(3);
    expect(denials).toHaveLength(1);
  });

  it('forgets keys and refusals on reset() (a new source), and asks again', async () => {
    const { fetcher, calls } = fetcherWith({ auth: 'cookie' }, [refusal(403, 'not-entitled'), key]);
    await fetcher.fetchKey(KEY);
    fetcher.reset();
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect(calls).toHaveLength(2);
  });
});

import { KeyFetcher, type KeyFetcherDeps } from '../../../lib/player-kit/key-fetcher';
import { decideKeyAction } from '../../../lib/player-kit/key-response-policy';
import { parseKitOptions, type KeyDenial } from '../../../lib/player-kit/kit-options';

// A 401 `jwks-unavailable` means the token's signing key is new and the edge may fetch it only after
// its cooldown: the kit asks once more after Retry-After, then stops like any other refusal.

const NOW = Date.parse('2030-01-01T00:00:00Z');
const KEY = 'https://video.example.com/keys/movie/0.key';
const limits = { canRefresh: true, maxUnavailableRetries: 3 };
const fresh = { refreshed: false, unavailableRetries: 0, jwksRetried: false };
const jwksUnavailable = (retryAfter: string | null) => ({ status: 401, reason: 'jwks-unavailable', retryAfter });

function fetcherAnswering(answers: (() => Response)[]) {
  const denials: KeyDenial[] = [];
  const sleeps: number[] = [];
  let requests = 0;
  const deps: KeyFetcherDeps = {
    fetch: (async () => {
      requests += 1;
      const answer = answers.shift();
      if (!answer) throw new Error('no more scripted answers');
      return answer();
    }) as typeof fetch,
    sleep: async (ms) => void sleeps.push(ms),
    now: () => NOW,
  };
  const fetcher = new KeyFetcher(
    { ...parseKitOptions({ auth: 'cookie', keyOrigins: ['https://video.example.com'] }), onDenied: (d) => denials.push(d) },
    deps,
  );
  return { fetcher, denials, sleeps, requests: () => requests };
}
const key = () => new Response(new Uint8Array(16), { status: 200 });
const notYet =
  (headers: Record<string, string> = {}) =>
  () =>
    new Response('', { status: 401, headers: { 'x-keygate-reason': 'jwks-unavailable', ...headers } });

describe('the player kit and a retryable 401 jwks-unavailable', () => {
  it('waits the Retry-After the edge gave, then asks again', () => {
    expect(decideKeyAction(jwksUnavailable('7'), fresh, limits, NOW)).toEqual({
      kind: 'wait-and-retry',
      delayMs: 7000,
      retrying: 'jwks-unavailable',
    });
  });

  it('waits one second when Retry-After cannot be read (a cross-origin response that does not expose it)', () => {
    expect(decideKeyAction(jwksUnavailable(null), fresh, limits, NOW)).toMatchObject({ kind: 'wait-and-retry', delayMs: 1000 });
  });

  it('stops on a second jwks-unavailable for the same key, without any getToken()', () => {
    expect(decideKeyAction(jwksUnavailable('7'), { ...fresh, jwksRetried: true }, limits, NOW)).toEqual({
      kind: 'stop',
      status: 401,
      reason: 'jwks-unavailable',
    });
  });

  it('does not spend the 503 retries on it, nor it on a 503', () => {
    const spent503 = { ...fresh, unavailableRetries: 3 };
    expect(decideKeyAction(jwksUnavailable('1'), spent503, limits, NOW).kind).toBe('wait-and-retry');
    const storeDown = { status: 503, reason: 'store-unavailable', retryAfter: '2' };
    expect(decideKeyAction(storeDown, { ...fresh, jwksRetried: true }, limits, NOW).kind).toBe('wait-and-retry');
  });

  it('fetches the key on the retry after Retry-After, and the integrator hears nothing', async () => {
    const { fetcher, denials, sleeps, requests } = fetcherAnswering([notYet({ 'retry-after': '4' }), key]);
    expect((await fetcher.fetchKey(KEY)).kind).toBe('key');
    expect([sleeps, requests(), denials]).toEqual([[4000], 2, []]);
  });

  it('calls onDenied once when the retry is refused too, and asks no third time', async () => {
    const { fetcher, denials, sleeps, requests } = fetcherAnswering([notYet(), notYet()]);
    const result = await fetcher.fetchKey(KEY);
    expect(result).toEqual({ kind: 'denied', denial: { status: 401, reason: 'jwks-unavailable', url: KEY } });
    expect(await fetcher.fetchKey(KEY)).toEqual(result);
    expect([sleeps, requests(), denials]).toEqual([[1000], 2, [result.kind === 'denied' && result.denial]]);
  });
});

import { AnswerMemo } from '../../../lib/player-kit/answer-memo';
import { KeyFetcher, REMEMBERED_KEY_ANSWERS } from '../../../lib/player-kit/key-fetcher';
import { parseKitOptions } from '../../../lib/player-kit/kit-options';

/** A fetch that answers every key URL with 16 bytes and counts the requests per URL. */
function countingFetch() {
  const requests = new Map<string, number>();
  const fetch = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requests.set(url, (requests.get(url) ?? 0) + 1);
    return new Response(new Uint8Array(16), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

function fetcher(fetch: typeof globalThis.fetch) {
  return new KeyFetcher(
    { ...parseKitOptions({ auth: 'cookie', keyOrigins: ['https://cdn.example.com'] }), sessionId: 'session-0001' },
    { fetch, sleep: async () => {}, now: () => 0 },
  );
}

const keyUrl = (period: number) => `https://cdn.example.com/keys/live/${period}.key`;

describe('AnswerMemo', () => {
  it('forgets the least recently used answer beyond its capacity', () => {
    const memo = new AnswerMemo<string>(2);
    memo.set('a', 'A');
    memo.set('b', 'B');
    expect(memo.get('a')).toBe('A');
    memo.set('c', 'C');
    expect([memo.get('a'), memo.get('b'), memo.get('c')]).toEqual(['A', undefined, 'C']);
    expect(memo.size).toBe(2);
  });

  it('deletes an answer only if it was not replaced since', () => {
    const memo = new AnswerMemo<string>(2);
    memo.set('a', 'old');
    memo.set('a', 'new');
    memo.deleteIf('a', 'old');
    expect(memo.get('a')).toBe('new');
  });
});

describe('KeyFetcher on a live channel', () => {
  it('keeps one request per key URL while following a channel for a day, with a bounded memory', async () => {
    const { fetch, requests } = countingFetch();
    const keys = fetcher(fetch);
    // A day of a key a minute; the player asks each window's key on every segment of the window.
    for (let period = 0; period < 24 * 60; period++) for (let segment = 0; segment < 3; segment++) await keys.fetchKey(keyUrl(period));
    expect(Math.max(...requests.values())).toBe(1);
    expect(requests.size).toBe(24 * 60);
    expect((keys as unknown as { results: AnswerMemo<unknown> }).results.size).toBe(REMEMBERED_KEY_ANSWERS);
  });

  it('still answers a key of the DVR window behind live without the network', async () => {
    const { fetch, requests } = countingFetch();
    const keys = fetcher(fetch);
    for (let period = 0; period < 1000; period++) await keys.fetchKey(keyUrl(period));
    await keys.fetchKey(keyUrl(1000 - REMEMBERED_KEY_ANSWERS));
    expect(requests.get(keyUrl(1000 - REMEMBERED_KEY_ANSWERS))).toBe(1);
    // A key long gone from the window (a seek far back) is asked for again, once.
    await keys.fetchKey(keyUrl(0));
    expect(requests.get(keyUrl(0))).toBe(2);
  });
});

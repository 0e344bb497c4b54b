import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { createKeyProvider, type KeyProviderResponse } from '../../../lib/live/key-provider';
import { ivForKey } from '../../../lib/live/live-key-material';
import { KeyProviderAnswerError, KeyProviderRefusedError, KeyProviderUnavailableError } from '../../../lib/live/speke-client-errors';
import { SpekeKeySource, type SpekeHttpRequest } from '../../../lib/live/speke-key-source';
import { MemoryLiveKeyStore } from '../../fixtures/memory-live-key-store';

const ENDPOINT = 'http://provider.test/speke/v2.0/copyProtection';

/** A SpekeKeySource whose fetch hands each request straight to a provider (the HTTP round trip is an integration test). */
function makeSource(
  options: {
    answerFirst?: KeyProviderResponse[];
    prefetchNext?: boolean;
    signRequest?: (r: SpekeHttpRequest) => Promise<SpekeHttpRequest>;
  } = {},
) {
  const store = new MemoryLiveKeyStore();
  const provider = createKeyProvider(
    { store, channels: fixedChannelRegistry(['concert']), randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), now: () => 0 },
    { keyUriBase: 'https://video.example.com' },
  );
  const queued = [...(options.answerFirst ?? [])];
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetchToProvider = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = init?.headers as Record<string, string>;
    sent.push({ url: String(url), headers, body: String(init?.body) });
    const answer =
      queued.shift() ??
      (await provider({
        method: String(init?.method),
        path: new URL(String(url)).pathname,
        headers,
        body: Buffer.from(String(init?.body)),
      }));
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
  const source = new SpekeKeySource({ endpoint: ENDPOINT, fetch: fetchToProvider as typeof fetch, retryDelayMs: 0, ...options });
  return { source, store, sent, fetch: fetchToProvider as typeof fetch };
}

describe('SpekeKeySource, a SPEKE client asking as MediaPackage v2 does', () => {
  it('resolves a key that the key bucket holds, with its IV, name and Keygate URI', async () => {
    const { source, store } = makeSource();
    const key = await source.keyFor('concert', 41);
    expect(key).toMatchObject({ period: 41, name: '41', uri: 'https://video.example.com/keys/concert/41.key' });
    expect(key.key).toEqual(store.objects.get('keys/concert/41.key'));
    expect(key.iv).toEqual(ivForKey(key.key));
  });

  it('sends a CPIX 2.3 document with X-Speke-Version: 2.0 for exactly the period asked', async () => {
    const { source, sent } = makeSource();
    await source.keyFor('concert', 41);
    expect(sent[0].headers).toEqual({ 'content-type': 'application/xml', 'x-speke-version': '2.0' });
    expect(sent[0].body).toContain('<cpix:CPIX contentId="concert" version="2.3"');
    expect(sent[0].body).toContain('<cpix:ContentKeyPeriod id="keyPeriod_41" index="41"/>');
  });

  it('gets the same key for a period from a new instance (a restarted packager) and new keys for new periods', async () => {
    const first = makeSource();
    const a = await first.source.keyFor('concert', 5);
    const again = await new SpekeKeySource({ endpoint: ENDPOINT, fetch: first.fetch }).keyFor('concert', 5);
    const next = await first.source.keyFor('concert', 6);
    expect(again.key).toEqual(a.key);
    expect(next.key).not.toEqual(a.key);
  });

  it('throws the provider refusal, with its reason, and does not retry it', async () => {
    const { source, sent } = makeSource();
    const refusal = source.keyFor('not-a-channel', 1);
    await expect(refusal).rejects.toBeInstanceOf(KeyProviderRefusedError);
    await expect(refusal).rejects.toThrow(/403 unknown-channel\): Unknown channel "not-a-channel"/);
    expect(sent).toHaveLength(1);
  });

  it('retries a 503 and gets the key on the next attempt', async () => {
    const { source, sent } = makeSource({ answerFirst: [{ status: 503, headers: { 'retry-after': '1' }, body: 'busy' }] });
    await expect(source.keyFor('concert', 3)).resolves.toMatchObject({ name: '3' });
    expect(sent).toHaveLength(2);
  });

  it('gives up after its attempts with the last failure', async () => {
    const busy = { status: 503, headers: {}, body: 'busy' };
    const { source } = makeSource({ answerFirst: [busy, busy, busy] });
    await expect(source.keyFor('concert', 3)).rejects.toThrow(KeyProviderUnavailableError);
  });

  it('signs every attempt through the request signer hook', async () => {
    const signRequest = jest.fn(async (request: SpekeHttpRequest) => ({
      ...request,
      headers: { ...request.headers, authorization: 'signed' },
    }));
    const { source, sent } = makeSource({ signRequest, answerFirst: [{ status: 500, headers: {}, body: 'oops' }] });
    await source.keyFor('concert', 8);
    expect(signRequest).toHaveBeenCalledTimes(2);
    expect(sent.map((s) => s.headers.authorization)).toEqual(['signed', 'signed']);
  });

  /** A real answer for the period, with the key URI of its media EXT-X-KEY tag replaced (a hostile or broken provider). */
  async function answerNaming(uri: string): Promise<KeyProviderResponse> {
    const { fetch } = makeSource();
    const { renderCpixKeyRequest, kidForPeriod } = await import('../../../lib/live/cpix-key-request-document');
    const real = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', 'x-speke-version': '2.0' },
      body: renderCpixKeyRequest('concert', 2, kidForPeriod('concert', 2)),
    });
    const body = (await real.text()).replace(/(playlist="media"[^>]*>)([^<]+)</, (_, open: string, encoded: string) => {
      const tag = Buffer.from(encoded, 'base64')
        .toString('utf8')
        .replace(/URI="[^"]+"/, `URI="${uri}"`);
      return `${open}${Buffer.from(tag).toString('base64')}<`;
    });
    const headers: Record<string, string> = {};
    real.headers.forEach((value, name) => (headers[name] = value));
    return { status: 200, headers, body };
  }

  it('takes a key URI by path (/keys/<channel>/<name>.key) for playlists served from the same distribution', async () => {
    const { source } = makeSource({ answerFirst: [await answerNaming('/keys/concert/2.key')] });
    await expect(source.keyFor('concert', 2)).resolves.toMatchObject({ name: '2', uri: '/keys/concert/2.key' });
  });

  it.each(['//elsewhere.example/keys/concert/2.key', 'keys/concert/2.key', 'ftp://video.example.com/keys/concert/2.key'])(
    'refuses an answer whose key URI is %s (another host, or no URL at all)',
    async (uri) => {
      const { source } = makeSource({ answerFirst: [await answerNaming(uri)] });
      await expect(source.keyFor('concert', 2)).rejects.toThrow(KeyProviderAnswerError);
    },
  );

  it('asks for the next period in the background when told to prefetch, and answers it without asking again', async () => {
    const { source, sent, store } = makeSource({ prefetchNext: true });
    await source.keyFor('concert', 10);
    const next = await source.keyFor('concert', 11);
    expect(sent.filter((request) => request.body.includes('index="11"'))).toHaveLength(1);
    expect(next.key).toEqual(store.objects.get('keys/concert/11.key'));
  });
});

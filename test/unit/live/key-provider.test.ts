import { ivForKey } from '../../../lib/live/live-key-material';
import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { createKeyProvider, type KeyProvider, type KeyProviderLogEntry } from '../../../lib/live/key-provider';
import { MemoryLiveKeyStore } from '../../fixtures/memory-live-key-store';
import { answerOf, CPIX, elements, parseXml, serialize, spekeFixture } from '../../fixtures/speke-answers';

const V2 = spekeFixture('v2-live-request.xml');
const V2_TWO_PERIODS = spekeFixture('v2-live-request-two-periods.xml');
const V1 = spekeFixture('v1-live-request.xml');
const BASE = 'https://d111.cloudfront.net';
const V2_HEADERS = { 'content-type': 'application/xml', 'x-speke-version': '2.0' };
const V1_HEADERS = { 'content-type': 'application/xml' };

/** A provider over an in-memory key bucket, with random bytes that differ on every call. */
function makeProvider(store = new MemoryLiveKeyStore()) {
  let draws = 0;
  const logs: KeyProviderLogEntry[] = [];
  const issuedKeys: Buffer[] = [];
  const provider = createKeyProvider(
    {
      store,
      channels: fixedChannelRegistry(['concert']),
      randomBytes: (size) => {
        draws++;
        const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (draws * 37 + i * 11) & 0xff));
        issuedKeys.push(bytes);
        return bytes;
      },
      now: () => Date.UTC(2026, 0, 1),
      log: (entry) => logs.push(entry),
    },
    { keyUriBase: BASE },
  );
  return { provider, store, logs, issuedKeys };
}

const post = (provider: KeyProvider, body: string | Buffer, headers: Record<string, string> = V2_HEADERS) =>
  provider({ method: 'POST', path: '/speke/v2.0/copyProtection', headers, body: Buffer.from(body) });

/** The v2 fixture asking for another period index. */
const v2ForPeriod = (index: number, kid = '6d1c3a52-7f0b-4c8e-9a41-2b5e8f3d7c10') =>
  V2.replace('index="28511"', `index="${index}"`).replaceAll('6d1c3a52-7f0b-4c8e-9a41-2b5e8f3d7c10', kid);

describe('SPEKE 2.0, as MediaPackage v2 asks for AES-128 with key rotation', () => {
  it('answers the documented live request with the stored key, an explicit IV and Keygate key URL in both HLS tags', async () => {
    const { provider, store } = makeProvider();
    const response = await post(provider, V2);
    expect(response.status).toBe(200);
    const { keys, systems } = answerOf(response.body);
    expect(keys).toHaveLength(1);
    expect(keys[0].key).toHaveLength(16);
    expect(Buffer.from(store.objects.get('keys/concert/28511.key') as Uint8Array)).toEqual(keys[0].key);
    expect(keys[0].iv).toEqual(Buffer.from(ivForKey(keys[0].key)));
    expect(systems[0].media).toBe(
      `#EXT-X-KEY:METHOD=AES-128,URI="${BASE}/keys/concert/28511.key",KEYFORMAT="identity",KEYFORMATVERSIONS="1"`,
    );
    expect(systems[0].master).toBe(systems[0].media.replace('#EXT-X-KEY', '#EXT-X-SESSION-KEY'));
  });

  it('gives back contentId, version, the key periods and the usage rules exactly as they came', async () => {
    const { provider } = makeProvider();
    const { root, document } = answerOf((await post(provider, V2)).body);
    const request = parseXml(V2);
    expect(root.getAttribute('contentId')).toBe('concert');
    expect(root.getAttribute('version')).toBe('2.3');
    for (const list of ['ContentKeyPeriodList', 'ContentKeyUsageRuleList']) {
      expect(serialize(elements(document, CPIX, list)[0])).toBe(serialize(elements(request, CPIX, list)[0]));
    }
  });

  it('answers the headers SPEKE 2.0 requires, and no cache may keep an answer that holds keys', async () => {
    const { provider } = makeProvider();
    const { headers } = await post(provider, V2);
    expect(headers).toMatchObject({
      'content-type': 'application/xml',
      'x-speke-version': '2.0',
      'x-speke-user-agent': 'Keygate key provider',
      'cache-control': 'no-store',
    });
  });

  it('gives each period of a two-period request its own key, named after its index', async () => {
    const { provider, store } = makeProvider();
    const { keys, systems } = answerOf((await post(provider, V2_TWO_PERIODS)).body);
    expect([...store.objects.keys()]).toEqual(['keys/concert/28512.key', 'keys/concert/28513.key']);
    expect(keys[0].key).not.toEqual(keys[1].key);
    expect(systems.map((s) => s.media)).toEqual([
      expect.stringContaining(`URI="${BASE}/keys/concert/28512.key"`),
      expect.stringContaining(`URI="${BASE}/keys/concert/28513.key"`),
    ]);
    expect(
      keys.map((k) => Buffer.from(store.objects.get(`keys/concert/${k.kid.startsWith('a4') ? 28512 : 28513}.key`) as Uint8Array)),
    ).toEqual(keys.map((k) => k.key));
  });
});

describe('SPEKE 1.0, as MediaPackage v1 asks for HLS AES-128', () => {
  it('fills URIExtXKey, KeyFormat and KeyFormatVersions and drops the elements AES-128 has no value for', async () => {
    const { provider, store } = makeProvider();
    const response = await post(provider, V1, V1_HEADERS);
    expect(response.status).toBe(200);
    const { keys, systems, root } = answerOf(response.body);
    expect(root.getAttribute('id')).toBe('concert');
    expect(Buffer.from(store.objects.get('keys/concert/1742.key') as Uint8Array)).toEqual(keys[0].key);
    expect(systems[0]).toMatchObject({
      uriExtXKey: `${BASE}/keys/concert/1742.key`,
      keyFormat: 'identity',
      keyFormatVersions: '1',
      children: ['KeyFormat', 'KeyFormatVersions', 'URIExtXKey'],
    });
  });

  it("answers the period's own IV, whatever IV the encryptor proposed", async () => {
    const { provider } = makeProvider();
    const { keys } = answerOf((await post(provider, V1, V1_HEADERS)).body);
    expect(keys[0].iv.toString('base64')).not.toBe('q83vEjRWeJCrze8SNFZ4kA==');
    expect(keys[0].iv).toEqual(Buffer.from(ivForKey(keys[0].key)));
  });

  it('names itself in Speke-User-Agent, the SPEKE 1.0 header', async () => {
    const { provider } = makeProvider();
    const { headers } = await post(provider, V1, V1_HEADERS);
    expect(headers['speke-user-agent']).toBe('Keygate key provider');
    expect(headers['x-speke-version']).toBeUndefined();
  });

  it("answers SPEKE 1.0's heartbeat", async () => {
    const { provider } = makeProvider();
    const response = await provider({ method: 'GET', path: '/speke/v1.0/heartbeat', headers: {}, body: Buffer.alloc(0) });
    expect(response.status).toBe(200);
  });
});

describe('key rotation', () => {
  const keyOf = async (provider: KeyProvider, index: number) => answerOf((await post(provider, v2ForPeriod(index))).body).keys[0].key;

  it('gives periods asked in order distinct keys, each stored under its index', async () => {
    const { provider, store } = makeProvider();
    const keys = [await keyOf(provider, 100), await keyOf(provider, 101), await keyOf(provider, 102)];
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(3);
    expect(store.writes).toEqual(['keys/concert/100.key', 'keys/concert/101.key', 'keys/concert/102.key']);
  });

  it('gives a period asked out of order its own key and leaves every other period as it was', async () => {
    const { provider, store } = makeProvider();
    const k105 = await keyOf(provider, 105);
    const k103 = await keyOf(provider, 103);
    const k104 = await keyOf(provider, 104);
    expect(new Set([k103, k104, k105].map((k) => k.toString('hex'))).size).toBe(3);
    expect(await keyOf(provider, 105)).toEqual(k105);
    expect(store.writes).toEqual(['keys/concert/105.key', 'keys/concert/103.key', 'keys/concert/104.key']);
  });
});

describe('the same key for the same period', () => {
  it('answers a repeated request with the identical document, and stores the key once', async () => {
    const { provider, store } = makeProvider();
    const first = await post(provider, V2);
    const second = await post(provider, V2);
    expect(second.body).toBe(first.body);
    expect(store.writes).toEqual(['keys/concert/28511.key']);
  });

  it('answers the stored key to a request for the same period under another KID (a restarted packager)', async () => {
    const { provider } = makeProvider();
    const first = answerOf((await post(provider, v2ForPeriod(7))).body).keys[0];
    const again = answerOf((await post(provider, v2ForPeriod(7, '11111111-2222-4333-8444-555555555555'))).body).keys[0];
    expect(again.kid).toBe('11111111-2222-4333-8444-555555555555');
    expect(again.key).toEqual(first.key);
    expect(again.iv).toEqual(first.iv);
  });

  it('answers two concurrent requests for a new period with the same key, the one the bucket holds', async () => {
    const { provider, store, issuedKeys } = makeProvider();
    const [a, b] = await Promise.all([post(provider, v2ForPeriod(9)), post(provider, v2ForPeriod(9))]);
    // Both drew a key; only the first write won, and both answers carry it.
    expect(issuedKeys).toHaveLength(2);
    expect(answerOf(a.body).keys[0].key).toEqual(answerOf(b.body).keys[0].key);
    expect(answerOf(a.body).keys[0].key).toEqual(Buffer.from(store.objects.get('keys/concert/9.key') as Uint8Array));
  });

  it('gives SPEKE 1.0 and SPEKE 2.0 requests for the same period the same key', async () => {
    const { provider } = makeProvider();
    const v1 = answerOf((await post(provider, V1, V1_HEADERS)).body).keys[0];
    const v2 = answerOf((await post(provider, v2ForPeriod(1742))).body).keys[0];
    expect(v2.key).toEqual(v1.key);
  });
});

describe('when the key bucket fails', () => {
  it('answers 503 with Retry-After and no key', async () => {
    const store = new MemoryLiveKeyStore();
    store.failing = true;
    const { provider, logs } = makeProvider(store);
    const response = await post(provider, V2);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).not.toContain('PlainValue');
    expect(logs).toEqual([expect.objectContaining({ event: 'store-error', channel: 'concert' })]);
  });

  it('answers 503 when the bucket holds something that is not a 16-byte key under the name', async () => {
    const store = new MemoryLiveKeyStore();
    store.objects.set('keys/concert/28511.key', new Uint8Array(3));
    const { provider } = makeProvider(store);
    expect((await post(provider, V2)).status).toBe(503);
  });
});

describe('the log', () => {
  it('records what was issued and refused, and never a key', async () => {
    const { provider, logs, issuedKeys } = makeProvider();
    await post(provider, V2);
    await post(provider, V2_TWO_PERIODS);
    await post(provider, V1, V1_HEADERS);
    await post(provider, V2.replace('contentId="concert"', 'contentId="other"'));
    expect(logs.map((entry) => entry.event)).toEqual(['keys-issued', 'keys-issued', 'keys-issued', 'refused']);
    const text = JSON.stringify(logs);
    for (const key of issuedKeys) {
      for (const encoding of ['base64', 'hex', 'base64url'] as const) expect(text).not.toContain(key.toString(encoding));
    }
    expect(logs[0]).toMatchObject({ channel: 'concert', speke: '2.0', periods: [{ index: 28511, name: '28511', created: true }] });
  });
});

import { createKeyProviderHandler } from '../../../lib/live/key-provider-lambda';
import { DEFAULT_USER_AGENT } from '../../../lib/live/speke-profile';
import { startFunctionUrl, type FunctionUrlServer } from '../../fixtures/function-url-server';
import { startS3rverKeyBucket, type S3rverKeyBucket } from '../../fixtures/s3rver-key-bucket';
import { answerOf, spekeFixture } from '../../fixtures/speke-answers';

// The deployed key provider: the Lambda handler behind a modelled function URL, the key bucket on s3rver,
// asked with the request shapes MediaPackage v2 sends (test/fixtures/speke, from AWS's SPEKE v2 documentation).
const BASE = 'https://d111.cloudfront.net';
const V2 = spekeFixture('v2-live-request.xml');
const TWO_PERIODS = spekeFixture('v2-live-request-two-periods.xml');
const V2_HEADERS = { 'content-type': 'application/xml', 'x-speke-version': '2.0' };
let keyBucket: S3rverKeyBucket;
let fn: FunctionUrlServer;
const logLines: string[] = [];

/** The documented one-period request, for another channel or period. */
const periodRequest = (index: number, channel = 'concert') =>
  V2.replace('contentId="concert"', `contentId="${channel}"`).replace('index="28511"', `index="${index}"`);

const post = (body: string, headers: Record<string, string> = V2_HEADERS) => fetch(fn.url, { method: 'POST', headers, body });
const keysOf = async (response: Response) => answerOf(await response.text()).keys;

const objectBytes = (key: string) => keyBucket.objectBytes(key);
const listKeys = (prefix: string) => keyBucket.listKeys(prefix);

beforeAll(async () => {
  keyBucket = await startS3rverKeyBucket();
  const handler = createKeyProviderHandler(
    { keyBucket: keyBucket.bucket, channels: ['concert', 'race', 'quiet'], keyUriBase: BASE },
    { s3: keyBucket.client, log: (line) => logLines.push(line) },
  );
  fn = await startFunctionUrl(handler);
});

afterAll(async () => {
  await fn?.close();
  await keyBucket?.close();
});

describe('the key provider Lambda behind a function URL, keys in the key bucket', () => {
  it('answers the documented request with the key it stored under keys/<channel>/, and the SPEKE 2.0 headers', async () => {
    const response = await post(V2);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-speke-version')).toBe('2.0');
    expect(response.headers.get('x-speke-user-agent')).toBe(DEFAULT_USER_AGENT);
    expect(response.headers.get('content-type')).toBe('application/xml');
    const [answer] = await keysOf(response);
    expect(answer.kid).toBe('6d1c3a52-7f0b-4c8e-9a41-2b5e8f3d7c10');
    expect(await objectBytes('keys/concert/28511.key')).toEqual(answer.key);
  });

  it('answers two periods in order with two keys, each stored under its index', async () => {
    const keys = await keysOf(await post(TWO_PERIODS));
    expect(keys).toHaveLength(2);
    expect(keys[0].key).not.toEqual(keys[1].key);
    expect(await objectBytes('keys/concert/28512.key')).toEqual(keys[0].key);
    expect(await objectBytes('keys/concert/28513.key')).toEqual(keys[1].key);
  });

  it('answers periods asked out of order, each with its own key under its own index', async () => {
    const asked = [7, 3, 5, 4];
    const keys = [];
    for (const index of asked) keys.push((await keysOf(await post(periodRequest(index, 'race'))))[0].key);
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(4);
    for (const [i, index] of asked.entries()) expect(await objectBytes(`keys/race/${index}.key`)).toEqual(keys[i]);
  });

  it('answers a repeated request with identical keys and IVs', async () => {
    const first = await keysOf(await post(periodRequest(40)));
    const again = await keysOf(await post(periodRequest(40)));
    expect(again).toEqual(first);
  });

  it.each([
    ['a missing X-Speke-Version', V2, { 'content-type': 'application/xml' }, 422, 'Unsupported SPEKE version'],
    ['a wrong X-Speke-Version', V2, { ...V2_HEADERS, 'x-speke-version': '3.0' }, 422, 'Unsupported SPEKE version'],
    ['a missing contentId', V2.replace('contentId="concert" ', ''), V2_HEADERS, 422, 'Missing CPIX@contentId'],
    ['an unknown channel', periodRequest(1, 'stranger'), V2_HEADERS, 403, 'Unknown channel "stranger"'],
  ])('refuses %s with its documented message, storing nothing', async (_name, body, headers, status, message) => {
    const before = await listKeys('keys/');
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    expect((await response.text()).split('\n')[0]).toBe(message);
    expect(response.headers.get('x-speke-user-agent')).toBe(DEFAULT_USER_AGENT);
    expect(await listKeys('keys/')).toEqual(before);
  });

  it('echoes a well-formed X-Speke-Version it refuses', async () => {
    const response = await post(V2, { ...V2_HEADERS, 'x-speke-version': '3.0' });
    expect(response.headers.get('x-speke-version')).toBe('3.0');
  });

  it('refuses a 1 MB body and an XML entity expansion without storing anything', async () => {
    const quiet = periodRequest(1, 'quiet');
    const huge = await post(quiet + `<!--${'x'.repeat(1024 * 1024)}-->`);
    const entities = await post(
      quiet.replace('<cpix:CPIX ', '<!DOCTYPE cpix:CPIX [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><cpix:CPIX '),
    );
    expect([huge.status, entities.status]).toEqual([413, 400]);
    expect(await listKeys('keys/quiet/')).toEqual([]);
  });

  it('logs what it decided, one JSON line a request, and never a key', async () => {
    const keys = await keysOf(await post(periodRequest(50)));
    const lines = logLines.map((line) => JSON.parse(line) as { event: string });
    expect(lines.at(-1)).toMatchObject({ event: 'keys-issued', channel: 'concert', periods: [{ index: 50, name: '50' }] });
    const log = logLines.join('\n');
    for (const { key } of keys) {
      expect(log).not.toContain(key.toString('base64'));
      expect(log).not.toContain(key.toString('hex'));
    }
  });
});

import { functionUrlKeyProvider, keyProviderRequestOf } from '../../../lib/live/function-url-key-provider';
import { KEY_PROVIDER_ENV, keyProviderSettingsFrom } from '../../../lib/live/key-provider-lambda';

const ENV = {
  [KEY_PROVIDER_ENV.keyBucket]: 'keygate-keys',
  [KEY_PROVIDER_ENV.channels]: 'concert, race',
  [KEY_PROVIDER_ENV.keyUriBase]: 'https://d111.cloudfront.net',
};
const event = (body: string, isBase64Encoded: boolean) => ({
  rawPath: '/speke',
  headers: { 'Content-Type': 'application/xml' },
  body,
  isBase64Encoded,
  requestContext: { http: { method: 'post' } },
});

describe("the key provider Lambda's settings", () => {
  it('reads the bucket, the channels and the key URI base from its environment', () => {
    expect(keyProviderSettingsFrom(ENV)).toEqual({
      keyBucket: 'keygate-keys',
      channels: ['concert', 'race'],
      keyUriBase: 'https://d111.cloudfront.net',
    });
  });

  it.each(Object.values(KEY_PROVIDER_ENV))('refuses to start without %s, naming it', (name) => {
    expect(() => keyProviderSettingsFrom({ ...ENV, [name]: ' ' })).toThrow(name);
  });

  it('refuses a channel list with an id that is not a channel id', () => {
    expect(() => keyProviderSettingsFrom({ ...ENV, [KEY_PROVIDER_ENV.channels]: 'concert,../keys' })).toThrow(/not a channel id/);
  });

  it('refuses a key URI base that is not https', () => {
    expect(() => keyProviderSettingsFrom({ ...ENV, [KEY_PROVIDER_ENV.keyUriBase]: 'http://d111.cloudfront.net' })).toThrow(/https/);
  });
});

describe('a function URL event as the provider sees it', () => {
  it('decodes a base64 body, as function URLs send bodies they do not take for text', () => {
    expect(Buffer.from(keyProviderRequestOf(event(Buffer.from('<a/>').toString('base64'), true)).body).toString()).toBe('<a/>');
  });

  it('takes a text body as UTF-8, the method in upper case and header names in lower case', () => {
    expect(keyProviderRequestOf(event('<é/>', false))).toEqual({
      method: 'POST',
      path: '/speke',
      headers: { 'content-type': 'application/xml' },
      body: Buffer.from('<é/>', 'utf8'),
    });
  });

  it('answers 500 without detail when the provider throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const handler = functionUrlKeyProvider(
      async () => {
        throw new Error('boom');
      },
      (error) => errors.push(error),
    );
    const result = await handler(event('', false));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('boom');
    expect(errors).toHaveLength(1);
  });
});

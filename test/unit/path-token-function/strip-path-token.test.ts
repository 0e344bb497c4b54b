import { stripPathTokenFunctionCode } from '../../../lambda/path-token-function/strip-path-token';
import { loadCloudFrontFunction, type CloudFrontFunctionEvent } from '../../../lib/dev/cloudfront-function';

// The deployed function's own source, run as CloudFront runs a cloudfront-js-2.0 function.
const strip = loadCloudFrontFunction(stripPathTokenFunctionCode('t'));
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

function run(uri: string) {
  const event: CloudFrontFunctionEvent = {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'EXAMPLE', requestId: 'r' },
    viewer: { ip: '203.0.113.1' },
    request: { method: 'GET', uri, querystring: {}, headers: { host: { value: 'cdn.example.com' } }, cookies: {} },
  };
  return strip(event);
}

describe('the path-token CloudFront Function', () => {
  it.each(['/videos/movie/master.m3u8', '/videos/movie/720p/index.m3u8', '/videos/movie/720p/seg00001.ts'])(
    'strips /t/<token> from %s, so every viewer shares one cache entry',
    (path) => {
      expect(run(`/t/${TOKEN}${path}`)).toMatchObject({ uri: path, method: 'GET', headers: { host: { value: 'cdn.example.com' } } });
    },
  );

  it('does not verify the token: media is public and encrypted, and keys are judged by the authorizer', () => {
    expect(run('/t/a.b.c/videos/movie/master.m3u8')).toMatchObject({ uri: '/videos/movie/master.m3u8' });
  });

  it.each([
    `/t/${TOKEN}/keys/movie/0.key`,
    `/t/${TOKEN}/keys%2Fmovie%2F0.key`,
    `/t/${TOKEN}/videos%2F..%2Fkeys/movie/0.key`,
    `/t/${TOKEN}/../keys/movie/0.key`,
    `/t/${TOKEN}`,
    `/t/${TOKEN}/`,
    '/t//videos/movie/master.m3u8',
    '/t/not-a-token/videos/movie/master.m3u8',
    `/t/${TOKEN.replace('.', '%2E')}/videos/movie/master.m3u8`,
    `/t/${TOKEN}/t/${TOKEN}/videos/movie/master.m3u8`,
    `/x/${TOKEN}/videos/movie/master.m3u8`,
  ])('answers 404 to anything but /t/<token>/videos/…: %s', (uri) => {
    expect(run(uri)).toEqual({ statusCode: 404, statusDescription: 'Not Found' });
  });

  it('is built for the configured prefix only', () => {
    const other = loadCloudFrontFunction(stripPathTokenFunctionCode('play'));
    const event = (uri: string) =>
      ({ version: '1.0', context: {}, viewer: {}, request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } }) as never;
    expect(other(event(`/play/${TOKEN}/videos/m/master.m3u8`))).toMatchObject({ uri: '/videos/m/master.m3u8' });
    expect(other(event(`/t/${TOKEN}/videos/m/master.m3u8`))).toMatchObject({ statusCode: 404 });
  });

  it('stays well under the 10 KB a CloudFront Function may hold, with the longest prefix', () => {
    expect(Buffer.byteLength(stripPathTokenFunctionCode('p'.repeat(16)))).toBeLessThan(10 * 1024);
  });

  it('refuses a prefix that is not a plain path segment', () => {
    expect(() => stripPathTokenFunctionCode("t';alert(1);'")).toThrow(/not a plain path segment/);
  });
});

import {
  RequestOffDistributionError,
  confineKeyUri,
  confineMediaUri,
  distributionOnly,
  redirectProblem,
} from '../../../lib/admin/canary-confinement';
import type { HttpGet } from '../../../lib/admin/raw-http';

// The adversary: whoever can change a playlist of the video verify is pointed at. Every URI below is
// one they could write; verify holds the deployment's signing key and table access while it reads them.
const CDN = new URL('https://cdn.example.com/');
const RENDITION = new URL('https://cdn.example.com/videos/movie/180p/index.m3u8');
const MASTER = new URL('https://cdn.example.com/videos/movie/master.m3u8');
const scope = (base: URL) => ({ base, distribution: CDN, videoId: 'movie' });
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

const keyOf = (uri: string) => confineKeyUri(uri, scope(RENDITION));
const accepted = (result: object) => ('url' in result ? (result.url as URL).href : result);

describe('confineKeyUri: a key URI verify may ask for', () => {
  it.each([
    ['../../../keys/movie/0.key', 'https://cdn.example.com/keys/movie/0.key'],
    ['/keys/movie/v2-0.key', 'https://cdn.example.com/keys/movie/v2-0.key'],
    ['https://cdn.example.com/keys/movie/3.key', 'https://cdn.example.com/keys/movie/3.key'],
    ['https://CDN.example.com:443/keys/movie/3.key', 'https://cdn.example.com/keys/movie/3.key'],
  ])('accepts %s as %s', (uri, href) => {
    expect(accepted(keyOf(uri))).toBe(href);
  });

  it('gives the key name for the checks', () => {
    expect(keyOf('/keys/movie/v2-0.key')).toMatchObject({ keyName: 'v2-0' });
  });

  it.each([
    ['another host', 'https://elsewhere.example/keys/movie/0.key'],
    ['another scheme', 'http://cdn.example.com/keys/movie/0.key'],
    ['another port', 'https://cdn.example.com:8443/keys/movie/0.key'],
    ['user info (same host, but not the URL verify was given)', 'https://x@cdn.example.com/keys/movie/0.key'],
    ['a protocol-relative host', '//elsewhere.example/keys/movie/0.key'],
    ['an IDN look-alike host', 'https://cdn.exämple.com/keys/movie/0.key'],
  ])('refuses a key on %s as leaving the distribution', (_what, uri) => {
    expect(keyOf(uri)).toEqual({
      problem: expect.stringMatching(/, which leaves the distribution: refused \(verify talks only to https:\/\/cdn\.example\.com/),
    });
  });

  it.each([
    ['another video’s key', '/keys/trailer/0.key', /which names the key of video trailer/],
    ['another video’s key reached by dot segments', '../../../keys/movie/../trailer/0.key', /which names the key of video trailer/],
    ['a path-token prefix', `/t/${TOKEN}/keys/movie/0.key`, /which is not a \/keys\/<videoId>\/<keyName>\.key path/],
    ['a path-token prefix naming another video', `/t/${TOKEN}/keys/trailer/0.key`, /which is not a \/keys\/<videoId>\/<keyName>\.key path/],
    ['an encoded slash', '/keys/movie%2F0.key', /which is not a \/keys\/<videoId>\/<keyName>\.key path/],
    ['a query string (a token channel Keygate never writes)', '/keys/movie/0.key?token=x', /which carries a query string/],
  ])('refuses %s', (_what, uri, why) => {
    expect(keyOf(uri)).toEqual({ problem: expect.stringMatching(why) });
  });

  it('names the URI it refused, resolved as a player would resolve it', () => {
    expect(keyOf('//elsewhere.example/keys/movie/0.key')).toEqual({
      problem:
        'the playlist names the key URI https://elsewhere.example/keys/movie/0.key, which leaves the distribution: refused (verify talks only to https://cdn.example.com and asks only for video movie)',
    });
  });
});

describe('confineMediaUri: a variant playlist or segment verify may ask for', () => {
  it.each([
    ['180p/index.m3u8', MASTER, 'https://cdn.example.com/videos/movie/180p/index.m3u8'],
    ['v2/180p/index.m3u8', MASTER, 'https://cdn.example.com/videos/movie/v2/180p/index.m3u8'],
    ['seg00000.ts', RENDITION, 'https://cdn.example.com/videos/movie/180p/seg00000.ts'],
  ])('accepts %s (against %s)', (uri, base, href) => {
    expect(accepted(confineMediaUri(uri, scope(base), 'segment'))).toBe(href);
  });

  it.each([
    ['on another host', 'https://elsewhere.example/videos/movie/180p/seg00000.ts', /leaves the distribution/],
    ['of another video', '../../trailer/180p/seg00000.ts', /not a plain path under \/videos\/movie\//],
    ['behind a path token', `/t/${TOKEN}/videos/movie/180p/seg00000.ts`, /not a plain path under \/videos\/movie\//],
    ['with an encoded slash', 'a%2Fb.ts', /not a plain path under \/videos\/movie\//],
    ['in the key folder', '../../../keys/movie/0.key', /not a plain path under \/videos\/movie\//],
  ])('refuses a segment %s', (_what, uri, why) => {
    expect(confineMediaUri(uri, scope(RENDITION), 'segment')).toEqual({ problem: expect.stringMatching(why) });
  });

  it('names the role in the refusal', () => {
    expect(confineMediaUri('https://elsewhere.example/x.m3u8', scope(MASTER), 'variant playlist')).toEqual({
      problem: expect.stringMatching(/^the playlist names the variant playlist URI https:\/\/elsewhere\.example\/x\.m3u8,/),
    });
  });
});

describe('distributionOnly', () => {
  const asked: string[] = [];
  const http: HttpGet = async (origin, rawPath) => {
    asked.push(`${origin.origin}${rawPath}`);
    return { status: 200, headers: {}, body: Buffer.alloc(0) };
  };

  it('passes a request on the distribution through', async () => {
    await distributionOnly(http, CDN)(new URL('https://cdn.example.com/keys/movie/0.key'), '/keys/movie/0.key');
    expect(asked).toEqual(['https://cdn.example.com/keys/movie/0.key']);
  });

  it('refuses a request to any other origin without sending it', async () => {
    asked.length = 0;
    await expect(distributionOnly(http, CDN)(new URL('https://elsewhere.example/'), '/keys/movie/0.key')).rejects.toThrow(
      RequestOffDistributionError,
    );
    expect(asked).toEqual([]);
  });
});

describe('redirectProblem', () => {
  it.each([301, 302, 303, 307, 308])('names a %i and where it points', (status) => {
    expect(redirectProblem(status, 'https://elsewhere.example/')).toBe(
      `a ${status} redirect to https://elsewhere.example/, which verify does not follow (it talks only to the distribution)`,
    );
  });

  it('is nothing for other statuses', () => {
    expect(redirectProblem(200, undefined)).toBeUndefined();
    expect(redirectProblem(403, undefined)).toBeUndefined();
  });
});

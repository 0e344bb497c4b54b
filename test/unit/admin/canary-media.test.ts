import { findCanaryMedia, firstKeyAndSegment, firstVariantUri } from '../../../lib/admin/canary-media';
import type { HttpGet } from '../../../lib/admin/raw-http';

const MASTER = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-STREAM-INF:BANDWIDTH=430144,RESOLUTION=320x180',
  '180p/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=314336,RESOLUTION=256x144',
  '144p/index.m3u8',
  '',
].join('\n');

/** A rendition playlist as keygate package writes it: key URIs relative to the playlist. */
const rendition = (keyUri: string) =>
  [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:2',
    `#EXT-X-KEY:METHOD=AES-128,URI="${keyUri}",IV=0xf2ee13dd6b372668766480adb14691e3`,
    '#EXTINF:2.000000,',
    'seg00000.ts',
    '#EXTINF:2.000000,',
    'seg00001.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');

/** A distribution that answers 200 with these bodies by raw path, 403 otherwise. */
function serving(files: Record<string, string>): HttpGet {
  return async (_origin, rawPath) =>
    rawPath in files
      ? { status: 200, headers: {}, body: Buffer.from(files[rawPath]) }
      : { status: 403, headers: {}, body: Buffer.from('<Error><Code>AccessDenied</Code></Error>') };
}

const CDN = new URL('https://cdn.example.com/');

describe('firstVariantUri', () => {
  it('is the URI line after the first #EXT-X-STREAM-INF', () => {
    expect(firstVariantUri(MASTER)).toBe('180p/index.m3u8');
  });

  it('skips blank lines and comments between the tag and its URI, and reads CRLF playlists', () => {
    expect(firstVariantUri('#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\r\n\r\n# note\r\nhigh/index.m3u8\r\n')).toBe('high/index.m3u8');
  });

  it('is undefined for a media playlist', () => {
    expect(firstVariantUri(rendition('0.key'))).toBeUndefined();
  });
});

describe('firstKeyAndSegment', () => {
  it('reads the first AES-128 key URI and the first segment', () => {
    expect(firstKeyAndSegment(rendition('../../../keys/movie/0.key'))).toEqual({
      keyUri: '../../../keys/movie/0.key',
      segmentUri: 'seg00000.ts',
    });
  });

  it('passes over METHOD=NONE and finds the URI wherever it stands in the attribute list', () => {
    const playlist = '#EXTM3U\n#EXT-X-KEY:METHOD=NONE\n#EXT-X-KEY:IV=0x00,URI="k/1.key",METHOD=AES-128\n#EXTINF:4,\na.ts\n';
    expect(firstKeyAndSegment(playlist)).toEqual({ keyUri: 'k/1.key', segmentUri: 'a.ts' });
  });

  it('finds no key in a clear playlist', () => {
    expect(firstKeyAndSegment('#EXTM3U\n#EXTINF:4,\na.ts\n').keyUri).toBeUndefined();
  });
});

describe('findCanaryMedia', () => {
  it('resolves the rendition against the master and the key and segment against the rendition', async () => {
    const http = serving({
      '/videos/movie/master.m3u8': MASTER,
      '/videos/movie/180p/index.m3u8': rendition('../../../keys/movie/0.key'),
    });
    const result = await findCanaryMedia(http, CDN, 'movie');
    expect('found' in result && result.found).toMatchObject({
      mediaPlaylistUrl: new URL('https://cdn.example.com/videos/movie/180p/index.m3u8'),
      segmentUrl: new URL('https://cdn.example.com/videos/movie/180p/seg00000.ts'),
      keyUrl: new URL('https://cdn.example.com/keys/movie/0.key'),
      videoId: 'movie',
      keyName: '0',
    });
  });

  it('keeps an absolute key URI on the distribution as it is', async () => {
    const http = serving({
      '/videos/movie/master.m3u8': MASTER,
      '/videos/movie/180p/index.m3u8': rendition('https://cdn.example.com/keys/movie/3.key'),
    });
    const result = await findCanaryMedia(http, CDN, 'movie');
    expect('found' in result && result.found.keyUrl.href).toBe('https://cdn.example.com/keys/movie/3.key');
  });

  it('refuses an absolute key URI on another host, naming it, without asking that host', async () => {
    const asked: string[] = [];
    const files = serving({
      '/videos/movie/master.m3u8': MASTER,
      '/videos/movie/180p/index.m3u8': rendition('https://keys.example.com/keys/movie/3.key'),
    });
    const http: HttpGet = (origin, rawPath, headers) => {
      asked.push(`${origin.origin}${rawPath}`);
      return files(origin, rawPath, headers);
    };
    const result = await findCanaryMedia(http, CDN, 'movie');
    expect('problem' in result && result.problem).toMatch(
      /^the playlist names the key URI https:\/\/keys.example.com\/keys\/movie\/3.key, which leaves the distribution: refused/,
    );
    expect(asked).toEqual(['https://cdn.example.com/videos/movie/master.m3u8', 'https://cdn.example.com/videos/movie/180p/index.m3u8']);
  });

  it('does not follow a redirect of a playlist, and names where it pointed', async () => {
    const http: HttpGet = async () => ({ status: 302, headers: { location: 'https://elsewhere.example/m.m3u8' }, body: Buffer.alloc(0) });
    expect(await findCanaryMedia(http, CDN, 'movie')).toEqual({
      problem:
        'the master playlist https://cdn.example.com/videos/movie/master.m3u8 answered a 302 redirect to https://elsewhere.example/m.m3u8, which verify does not follow (it talks only to the distribution)',
    });
  });

  it('reads the key from the master itself when it is a media playlist', async () => {
    const result = await findCanaryMedia(serving({ '/videos/movie/master.m3u8': rendition('../../keys/movie/0.key') }), CDN, 'movie');
    expect('found' in result && result.found.keyUrl.pathname).toBe('/keys/movie/0.key');
  });

  it('says the master playlist is not readable without credentials', async () => {
    expect(await findCanaryMedia(serving({}), CDN, 'movie')).toEqual({
      problem:
        'the master playlist https://cdn.example.com/videos/movie/master.m3u8 answered 403 without credentials: is the video published to the media bucket?',
    });
  });

  it('says the rendition is not encrypted', async () => {
    const http = serving({ '/videos/movie/master.m3u8': MASTER, '/videos/movie/180p/index.m3u8': '#EXTM3U\n#EXTINF:2,\na.ts\n' });
    expect(await findCanaryMedia(http, CDN, 'movie')).toEqual({
      problem:
        'https://cdn.example.com/videos/movie/180p/index.m3u8 has no AES-128 #EXT-X-KEY: is the video encrypted (keygate package or encrypt)?',
    });
  });

  it('refuses a key URI outside /keys/<videoId>/<keyName>.key', async () => {
    const http = serving({ '/videos/movie/master.m3u8': MASTER, '/videos/movie/180p/index.m3u8': rendition('key0.bin') });
    const result = await findCanaryMedia(http, CDN, 'movie');
    expect('problem' in result && result.problem).toMatch(
      /^the playlist names the key URI https:\/\/cdn.example.com\/videos\/movie\/180p\/key0.bin, which is not a \/keys\/<videoId>\/<keyName>.key path/,
    );
  });
});

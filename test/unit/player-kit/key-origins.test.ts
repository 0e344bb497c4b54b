import { KeyFetcher } from '../../../lib/player-kit/key-fetcher';
import { KeyOrigins, httpOriginOf, parseOriginList } from '../../../lib/player-kit/key-origins';
import { KeygateKitOptionsError, parseKitOptions, type KeygateKitOptions } from '../../../lib/player-kit/kit-options';

// The adversary: a playlist (from a compromised origin, a user-picked source, a third-party stream)
// naming a key or segment on a host of its choosing, in any spelling, to be sent the viewer's token.
const PAGE = 'https://www.example.com/watch/42';
const SOURCE = 'https://video.example.com/videos/movie/master.m3u8';

const fromSource = (source = SOURCE) => {
  const origins = new KeyOrigins(undefined, () => PAGE);
  origins.useSource(source);
  return origins;
};

describe('KeyOrigins: credentials go to key origins only, compared as origins', () => {
  it.each([
    ['https://video.example.com/keys/movie/0.key', true],
    ['https://VIDEO.Example.COM/keys/movie/0.key', true],
    ['https://video.example.com:443/keys/movie/0.key', true],
    ['https://video.example.com/videos/movie/../../keys/movie/0.key', true],
    ['https://video.example.com/t/abc/keys/movie/0.key', true],
    ['http://video.example.com/keys/movie/0.key', false],
    ['https://video.example.com:8443/keys/movie/0.key', false],
    ['https://evil.example/keys/movie/0.key', false],
    ['https://evil.example/../video.example.com/keys/movie/0.key', false],
    ['https://video.example.com.evil.example/keys/movie/0.key', false],
    ['https://video.example.com@evil.example/keys/movie/0.key', false],
    ['https:\\\\evil.example\\keys\\movie\\0.key', false],
    ['//evil.example/keys/movie/0.key', false],
    ['/keys/movie/0.key', false],
    ['data:application/octet-stream;base64,AAAA', false],
    ['blob:https://video.example.com/0b7e', false],
    ['not a url at all http://', false],
  ])('with the default (the source’s origin): %s → %s', (url, expected) => {
    expect(fromSource().includes(url)).toBe(expected);
  });

  it('resolves a relative source against the page: its origin is then the page’s', () => {
    const origins = fromSource('/videos/movie/master.m3u8');
    expect(origins.includes('https://www.example.com/keys/movie/0.key')).toBe(true);
    expect(origins.includes('https://video.example.com/keys/movie/0.key')).toBe(false);
  });

  it('has no key origin before a source is loaded, nor after an unreadable one', () => {
    const origins = new KeyOrigins(undefined, () => PAGE);
    expect(origins.includes('https://www.example.com/keys/movie/0.key')).toBe(false);
    origins.useSource('ftp://video.example.com/master.m3u8');
    expect(origins.includes('https://video.example.com/keys/movie/0.key')).toBe(false);
  });

  it('follows a new source: the previous origin is no longer a key origin', () => {
    const origins = fromSource();
    origins.useSource('https://other.example.org/videos/x/master.m3u8');
    expect(origins.includes('https://video.example.com/keys/movie/0.key')).toBe(false);
    expect(origins.includes('https://other.example.org/keys/x/0.key')).toBe(true);
  });

  it('matches an IDN host written in Unicode or in punycode, either way round', () => {
    const unicode = fromSource('https://bücher.example/videos/x/master.m3u8');
    expect(unicode.includes('https://xn--bcher-kva.example/keys/x/0.key')).toBe(true);
    const configured = new KeyOrigins(parseOriginList(['https://xn--bcher-kva.example']), () => PAGE);
    expect(configured.includes('https://BÜCHER.example/keys/x/0.key')).toBe(true);
    expect(configured.includes('https://bucher.example/keys/x/0.key')).toBe(false);
  });

  it('uses the configured origins instead of the source’s when given', () => {
    const origins = new KeyOrigins(parseOriginList(['https://keys.example.com', 'http://127.0.0.1:8080/']), () => PAGE);
    origins.useSource(SOURCE);
    expect(origins.includes('https://keys.example.com/keys/movie/0.key')).toBe(true);
    expect(origins.includes('http://127.0.0.1:8080/keys/movie/0.key')).toBe(true);
    expect(origins.includes('http://127.0.0.1:8081/keys/movie/0.key')).toBe(false);
    expect(origins.includes('https://video.example.com/keys/movie/0.key')).toBe(false);
  });
});

describe('httpOriginOf', () => {
  it('normalises case, default ports and IDN hosts as the browser does', () => {
    expect(httpOriginOf('HTTPS://Video.Example.com:443/a')).toBe('https://video.example.com');
    expect(httpOriginOf('http://video.example.com:80/a')).toBe('http://video.example.com');
    expect(httpOriginOf('https://münchen.example/')).toBe('https://xn--mnchen-3ya.example');
  });
});

describe('the keyOrigins option', () => {
  const parse = (keyOrigins: unknown) => parseKitOptions({ auth: 'cookie', keyOrigins } as KeygateKitOptions).keyOrigins;

  it('is normalised to origins', () => {
    expect(parse(['https://Video.Example.com/', 'http://127.0.0.1:8080'])).toEqual(['https://video.example.com', 'http://127.0.0.1:8080']);
  });

  it.each([
    [[]],
    ['https://video.example.com'],
    [['https://video.example.com/keys']],
    [['https://video.example.com/?a=1']],
    [['https://user@video.example.com']],
    [['video.example.com']],
    [['ftp://video.example.com']],
    [[42]],
  ])('refuses %j with a message saying what an origin looks like', (value) => {
    expect(() => parse(value)).toThrow(KeygateKitOptionsError);
    expect(() => parse(value)).toThrow(/keyOrigins.*https:\/\/video\.example\.com/);
  });

  it('is absent by default: the source’s origin is used', () => {
    expect(parse(undefined)).toBeUndefined();
  });
});

describe('KeyFetcher and key origins', () => {
  const KEY = 'https://video.example.com/keys/movie/0.key';
  const key = () => new Response(new Uint8Array(16), { status: 200 });
  const expired = () => new Response('', { status: 401, headers: { 'x-keygate-reason': 'token-expired' } });

  function fetcherWith(options: Partial<KeygateKitOptions>, answers: (() => Response)[]) {
    const calls: { url: string; init?: RequestInit }[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return answers.shift()!();
    };
    const denials: unknown[] = [];
    const settings = parseKitOptions({ auth: 'bearer', token: 'old', ...options });
    const fetcher = new KeyFetcher(
      { ...settings, onDenied: (d) => denials.push(d) },
      { fetch: fetch as typeof globalThis.fetch, sleep: async () => {}, now: () => 0 },
    );
    return { fetcher, calls, denials };
  }

  it('sends nothing at all for a URL off the key origins, calls no getToken() and tells no onDenied', async () => {
    const getToken = jest.fn(async () => 'fresh');
    const { fetcher, calls, denials } = fetcherWith({ getToken }, [key]);
    fetcher.keyOrigins.useSource(SOURCE);
    expect(await fetcher.fetchKey('https://evil.example/keys/movie/0.key')).toEqual({
      kind: 'failed',
      status: 0,
      reason: 'not-a-key-origin',
    });
    expect(calls).toEqual([]);
    expect(getToken).not.toHaveBeenCalled();
    expect(denials).toEqual([]);
  });

  it('does not retry with the refreshed token once the URL is no longer on a key origin (a new source during the refresh)', async () => {
    let switchSource = () => {};
    const getToken = jest.fn(async () => {
      switchSource();
      return 'fresh';
    });
    const { fetcher, calls } = fetcherWith({ getToken }, [expired, key]);
    fetcher.keyOrigins.useSource(SOURCE);
    switchSource = () => fetcher.keyOrigins.useSource('https://elsewhere.example/videos/x/master.m3u8');
    expect((await fetcher.fetchKey(KEY)).kind).toBe('failed');
    expect(calls.map((c) => (c.init?.headers as Record<string, string>).authorization)).toEqual(['Bearer old']);
  });

  it('refuses to follow a redirect off the key request', async () => {
    const { fetcher, calls } = fetcherWith({}, [key]);
    fetcher.keyOrigins.useSource(SOURCE);
    await fetcher.fetchKey(KEY);
    expect(calls[0].init).toMatchObject({ redirect: 'error' });
  });
});

import { runCanary, type CanaryGrants, type CanaryOptions } from '../../../lib/admin/canary';
import type { CanaryCheck, CanaryReport } from '../../../lib/admin/canary-checks';
import type { HttpGet, HttpResponse } from '../../../lib/admin/raw-http';

const KEY = Buffer.from('0123456789abcdef');
const VIEWER = 'keygate-verify-test';
/** The end of every run with table access: both test viewers signed out. */
const SIGNED_OUT = [`sign out ${VIEWER}`, `sign out ${VIEWER}-nobody`];

interface Model {
  /** Viewers with a grant, as the authorizer sees them. */
  granted: Set<string>;
  /** How many more key requests an allow stays cached after its grant is gone. */
  allowCachedFor: number;
  /** Serve encoded spellings of the key path from the key bucket, as the old shared-bucket layout did. */
  leaksEncodedPaths: boolean;
  /** The x-cache header of the n-th segment request (0-based). */
  xCache: (n: number) => string | undefined;
  keyCacheControl: string;
  /** The x-cache header of the n-th key served (0-based). */
  keyXCache: (n: number) => string | undefined;
}

const response = (status: number, headers: Record<string, string> = {}, body: Buffer | string = ''): HttpResponse => ({
  status,
  headers,
  body: Buffer.from(body),
});

/** A deployment reduced to what the canary can observe; tokens are `token:<uid>`. */
function distribution(overrides: Partial<Model> = {}): { http: HttpGet; model: Model } {
  const model: Model = {
    granted: new Set(),
    allowCachedFor: 0,
    leaksEncodedPaths: false,
    xCache: () => undefined,
    keyCacheControl: 'private, no-store',
    keyXCache: () => undefined,
    ...overrides,
  };
  let segmentRequests = 0;
  let keysServed = 0;
  const keyServed = () => {
    const xCache = model.keyXCache(keysServed++);
    return response(200, { 'cache-control': model.keyCacheControl, ...(xCache ? { 'x-cache': xCache } : {}) }, KEY);
  };
  const http: HttpGet = async (_origin, rawPath, headers = {}) => {
    if (rawPath === '/videos/movie/master.m3u8') return response(200, {}, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhd/index.m3u8\n');
    if (rawPath === '/videos/movie/hd/index.m3u8')
      return response(200, {}, '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/movie/0.key"\n#EXTINF:2,\ns0.ts\n');
    if (rawPath === '/videos/movie/hd/s0.ts') {
      const xCache = model.xCache(segmentRequests++);
      return response(200, xCache ? { 'x-cache': xCache } : {}, 'segment');
    }
    if (rawPath === '/keys/movie/0.key') {
      const uid = /^Bearer token:(.+)$/.exec(headers.authorization ?? '')?.[1];
      if (uid === undefined) return response(401, { 'x-keygate-reason': 'no-credentials' });
      if (model.granted.has(uid)) return keyServed();
      if (uid === VIEWER && model.allowCachedFor-- > 0) return keyServed();
      return response(403, { 'x-keygate-reason': 'not-entitled' });
    }
    // S3 decodes the whole path; only a spelling that misses /keys/* (and so the authorizer) can leak.
    if (model.leaksEncodedPaths && !rawPath.startsWith('/keys/') && decodeURIComponent(rawPath) === '/keys/movie/0.key')
      return response(200, {}, KEY);
    return response(403, {}, '<Error><Code>AccessDenied</Code></Error>');
  };
  return { http, model };
}

function grantsOf(model: Model): CanaryGrants & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    grant: async (uid, videoId) => {
      calls.push(`grant ${uid} ${videoId}`);
      model.granted.add(uid);
    },
    revoke: async (uid, videoId) => {
      calls.push(`revoke ${uid} ${videoId}`);
      model.granted.delete(uid);
    },
    signOut: async (uid) => {
      calls.push(`sign out ${uid}`);
    },
  };
}

/** A clock whose sleep moves time on at once, so a 35 s wait takes no time. */
function fakeClock() {
  const clock = { now: 1_800_000_000, sleeps: [] as number[] };
  return {
    clock,
    canaryClock: {
      nowSeconds: () => clock.now,
      sleep: async (ms: number) => {
        clock.sleeps.push(ms);
        clock.now += ms / 1000;
      },
    },
  };
}

function run(http: HttpGet, options: Partial<CanaryOptions> = {}): Promise<CanaryReport> {
  return runCanary({
    distribution: new URL('https://cdn.example.com/'),
    videoId: 'movie',
    http,
    tokens: { mint: (uid) => `token:${uid}` },
    viewerId: VIEWER,
    ttlWaitSeconds: 35,
    clock: fakeClock().canaryClock,
    ...options,
  });
}

const outcomes = (report: CanaryReport) => Object.fromEntries(report.checks.map((c) => [c.check, c.outcome]));
const detailOf = (report: CanaryReport, check: CanaryCheck) => report.checks.find((c) => c.check === check)?.detail;

describe('runCanary against a deployment that behaves', () => {
  it('passes every check and removes the grant it made', async () => {
    const { http, model } = distribution({ allowCachedFor: 3 });
    const grants = grantsOf(model);
    const report = await run(http, { grants });
    expect(outcomes(report)).toEqual({
      anonymous: 'pass',
      entitled: 'pass',
      unentitled: 'pass',
      'encoded-paths': 'pass',
      'media-public': 'pass',
      revocation: 'pass',
    });
    expect(grants.calls).toEqual([`grant ${VIEWER} movie`, `revoke ${VIEWER} movie`, ...SIGNED_OUT]);
    expect(report).toMatchObject({ keyUrl: 'https://cdn.example.com/keys/movie/0.key', viewer: VIEWER });
  });

  it('polls the key every 2 s after the revocation until it is refused', async () => {
    const { http, model } = distribution({ allowCachedFor: 3 });
    const { clock, canaryClock } = fakeClock();
    const report = await run(http, { grants: grantsOf(model), clock: canaryClock });
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(detailOf(report, 'revocation')).toBe('403 not-entitled 6 s after the grant was removed');
  });

  it('skips the grant checks, with the reason, when it has no table access', async () => {
    const report = await run(distribution().http);
    expect(report.checks.filter((c) => c.outcome === 'skipped')).toEqual([
      { check: 'entitled', outcome: 'skipped', detail: 'skipped: no table access (--table, --region)' },
      { check: 'revocation', outcome: 'skipped', detail: 'skipped: no table access (--table, --region)' },
    ]);
    expect(detailOf(report, 'encoded-paths')).toMatch(/with an unentitled viewer’s token, none returned the key$/);
  });

  it('skips the token checks and tries encoded paths anonymously without a signing key', async () => {
    const report = await run(distribution().http, { tokens: undefined });
    expect(outcomes(report)).toMatchObject({ unentitled: 'skipped', entitled: 'skipped', revocation: 'skipped', anonymous: 'pass' });
    expect(detailOf(report, 'encoded-paths')).toMatch(/tried without credentials, none returned the key$/);
  });
});

describe('runCanary against a playlist it must not follow', () => {
  /** The distribution, with the rendition's key URI replaced; every request and every mint is recorded. */
  function hostile(keyUri: string) {
    const { http: honest, model } = distribution();
    const asked: string[] = [];
    const minted: string[] = [];
    const http: HttpGet = (origin, rawPath, headers) => {
      asked.push(`${origin.origin}${rawPath}`);
      if (rawPath === '/videos/movie/hd/index.m3u8')
        return Promise.resolve(response(200, {}, `#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="${keyUri}"\n#EXTINF:2,\ns0.ts\n`));
      return honest(origin, rawPath, headers);
    };
    const tokens = { mint: (uid: string, videoId: string) => (minted.push(`${uid} ${videoId}`), `token:${uid}`) };
    return { http, model, asked, minted, tokens };
  }

  it.each([
    ['a key on another host', 'https://elsewhere.example/keys/movie/0.key', /which leaves the distribution/],
    ['another video’s key', '/keys/trailer/0.key', /which names the key of video trailer/],
  ])('fails every check on %s, naming it, with no token minted, no grant and nothing asked of anyone else', async (_what, keyUri, why) => {
    const { http, model, asked, minted, tokens } = hostile(keyUri);
    const grants = grantsOf(model);
    const report = await run(http, { grants, tokens });
    expect(report.checks.every((c) => c.outcome === 'fail')).toBe(true);
    expect(detailOf(report, 'media-public')).toMatch(why);
    expect(asked).toEqual(['https://cdn.example.com/videos/movie/master.m3u8', 'https://cdn.example.com/videos/movie/hd/index.m3u8']);
    expect(minted).toEqual([]);
    expect(grants.calls).toEqual([]);
  });

  it('mints and grants only for the video it was given', async () => {
    const { http, model, minted, tokens } = hostile('../../../keys/movie/0.key');
    const grants = grantsOf(model);
    await run(http, { grants, tokens });
    expect(new Set(minted.map((m) => m.split(' ')[1]))).toEqual(new Set(['movie']));
    expect(grants.calls.filter((c) => c.startsWith('grant'))).toEqual([`grant ${VIEWER} movie`]);
  });

  it('signs its test viewers out even when a sign-out of one fails, and reports it', async () => {
    const { http, model } = distribution();
    const grants = grantsOf(model);
    const failing = {
      ...grants,
      signOut: async (uid: string) => {
        grants.calls.push(`sign out ${uid}`);
        if (uid === VIEWER) throw new Error('throttled');
      },
    };
    const report = await run(http, { grants: failing });
    expect(grants.calls.slice(-2)).toEqual(SIGNED_OUT);
    expect(report.cleanupProblem).toMatch(
      /^could not sign out keygate-verify-test \(throttled\); its tokens expire by themselves within 95 s$/,
    );
  });
});

describe('runCanary judges the segment cache by x-cache', () => {
  it('passes on a repeated request that CloudFront answers from its cache', async () => {
    const xCache = (n: number) => (n === 0 ? 'Miss from cloudfront' : 'Hit from cloudfront');
    const report = await run(distribution({ xCache }).http);
    expect(detailOf(report, 'media-public')).toBe(
      'playlists and a segment read without credentials; repeated segment request: Hit from cloudfront',
    );
  });

  it('does not judge (and does not fail) without an x-cache header', async () => {
    const report = await run(distribution().http);
    expect(report.checks.find((c) => c.check === 'media-public')).toEqual({
      check: 'media-public',
      outcome: 'pass',
      detail: 'playlists and a segment read without credentials; cache not judged: no x-cache header',
    });
  });

  it('fails when no repeated request is a hit', async () => {
    const report = await run(distribution({ xCache: () => 'Miss from cloudfront' }).http);
    expect(outcomes(report)['media-public']).toBe('fail');
    expect(detailOf(report, 'media-public')).toMatch(/^3 requests of \/videos\/movie\/hd\/s0.ts, no repeat was a cache hit/);
  });
});

describe('runCanary judges the key edge cache by x-cache', () => {
  const hitAfterFirst = (n: number) => (n === 0 ? 'Miss from cloudfront' : 'Hit from cloudfront');

  it('passes when a repeated key request is answered from CloudFront’s cache, still with no-store', async () => {
    const { http, model } = distribution({ keyXCache: hitAfterFirst });
    const report = await run(http, { grants: grantsOf(model) });
    expect(report.checks.find((c) => c.check === 'entitled')).toEqual({
      check: 'entitled',
      outcome: 'pass',
      detail: '200, 16 bytes, Cache-Control: private, no-store; repeated key request: Hit from cloudfront',
    });
  });

  it('does not judge the edge cache without an x-cache header, as on keygate dev', async () => {
    const { http, model } = distribution();
    const report = await run(http, { grants: grantsOf(model) });
    expect(detailOf(report, 'entitled')).toBe('200, 16 bytes, Cache-Control: private, no-store; edge cache not judged: no x-cache header');
  });

  it('fails when no repeated key request is a hit, and still checks encoded paths with the key it got', async () => {
    const { http, model } = distribution({ keyXCache: () => 'Miss from cloudfront' });
    const report = await run(http, { grants: grantsOf(model) });
    expect(outcomes(report)).toMatchObject({ entitled: 'fail', 'encoded-paths': 'pass', revocation: 'pass' });
    expect(detailOf(report, 'entitled')).toMatch(/^3 key requests, no repeat was a cache hit \(x-cache: Miss from cloudfront\)/);
  });
});

describe('runCanary against a broken deployment', () => {
  it('fails the encoded-path check when a spelling returns the key, naming one', async () => {
    const { http, model } = distribution({ leaksEncodedPaths: true });
    const report = await run(http, { grants: grantsOf(model) });
    expect(outcomes(report)['encoded-paths']).toBe('fail');
    expect(detailOf(report, 'encoded-paths')).toMatch(
      /^6 of 15 spellings returned the key with the test viewer’s token, e\.g\. \/keys%2Fmovie%2F0\.key:/,
    );
  });

  it('fails the revocation after --ttl-wait, asking the bounded number of times', async () => {
    const { http, model } = distribution({ allowCachedFor: Infinity });
    const { clock, canaryClock } = fakeClock();
    const report = await run(http, { grants: grantsOf(model), clock: canaryClock, ttlWaitSeconds: 5 });
    expect(clock.sleeps).toEqual([2000, 2000, 1000]);
    expect(detailOf(report, 'revocation')).toMatch(
      /^the key was still served 5 s after the grant was removed, expected 403: check the authorizer’s allowTtlSeconds/,
    );
  });

  it('fails the entitled check on a key that may be cached, and still removes the grant', async () => {
    const { http, model } = distribution({ keyCacheControl: 'max-age=86400' });
    const grants = grantsOf(model);
    const report = await run(http, { grants });
    expect(detailOf(report, 'entitled')).toMatch(/^Cache-Control is "max-age=86400", without no-store/);
    expect(grants.calls).toEqual([`grant ${VIEWER} movie`, `revoke ${VIEWER} movie`, ...SIGNED_OUT]);
  });

  it('removes the grant even when the run stops with an error after granting', async () => {
    const { http, model } = distribution();
    const grants = grantsOf(model);
    let minted = 0;
    const tokens = {
      mint: (uid: string) => {
        // The unentitled viewer's token comes first; the test viewer's, minted after the grant, fails.
        if (minted++ > 0) throw new Error('signing failed');
        return `token:${uid}`;
      },
    };
    await expect(run(http, { grants, tokens })).rejects.toThrow('signing failed');
    expect(grants.calls).toEqual([`grant ${VIEWER} movie`, `revoke ${VIEWER} movie`, ...SIGNED_OUT]);
    expect(model.granted.size).toBe(0);
  });

  it('fails a check whose request fails, and runs the others', async () => {
    const { http } = distribution();
    const flaky: HttpGet = (origin, rawPath, headers) =>
      rawPath.endsWith('.ts') ? Promise.reject(new Error('socket hang up')) : http(origin, rawPath, headers);
    const report = await run(flaky);
    expect(detailOf(report, 'media-public')).toBe('could not check: socket hang up');
    expect(outcomes(report)).toMatchObject({ anonymous: 'pass', unentitled: 'pass', 'encoded-paths': 'pass' });
  });

  it('marks every check failed, saying why, when the master playlist is not there', async () => {
    const report = await run(distribution().http, { videoId: 'missing' });
    expect(report.checks.every((c) => c.outcome === 'fail')).toBe(true);
    expect(detailOf(report, 'media-public')).toMatch(
      /^the master playlist https:\/\/cdn.example.com\/videos\/missing\/master.m3u8 answered 403/,
    );
    expect(detailOf(report, 'anonymous')).toBe('not run: no key URI to test (see check 5)');
  });
});

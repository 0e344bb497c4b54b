import { normalizeForBehaviorMatching, pathPatternMatcher } from '../../../lib/dev/cloudfront-paths';

const matchesPathPattern = (pattern: string, path: string) => pathPatternMatcher(pattern)(path);
import { objectFile, publishedBuckets, s3ObjectKeyFor } from '../../../lib/dev/s3-bucket-model';

describe('normalizeForBehaviorMatching (CloudFront, RFC 3986)', () => {
  it.each([
    ['/keys/movie/0.key', '/keys/movie/0.key'],
    ['/k%65ys/movie/0.key', '/keys/movie/0.key'],
    ['/keys/mo%76ie/%30.key', '/keys/movie/0.key'],
    ['/%7Ekeys/a%2db%5fc%2E', '/~keys/a-b_c.'],
  ])('decodes percent-encoded unreserved characters: %s', (raw, normalised) => {
    expect(normalizeForBehaviorMatching(raw)).toBe(normalised);
  });

  it.each([
    ['/keys%2fmovie%2f0.key', '/keys%2Fmovie%2F0.key'],
    ['/keys%5cmovie%5c0.key', '/keys%5Cmovie%5C0.key'],
    ['/keys%252F', '/keys%252F'],
    ['/caf%c3%a9', '/caf%C3%A9'],
  ])('keeps other escapes encoded, hex upper-cased, so %%2F and %%5C are no separators here: %s', (raw, normalised) => {
    expect(normalizeForBehaviorMatching(raw)).toBe(normalised);
  });

  it.each([
    ['/videos/../keys/movie/0.key', '/keys/movie/0.key'],
    ['/videos/%2e%2e/keys/movie/0.key', '/keys/movie/0.key'],
    ['/videos/%2E%2E/keys/movie/0.key', '/keys/movie/0.key'],
    ['/./keys/./movie/0.key', '/keys/movie/0.key'],
    ['/../../keys/movie/0.key', '/keys/movie/0.key'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
  ])('removes dot segments, including encoded ones: %s', (raw, normalised) => {
    expect(normalizeForBehaviorMatching(raw)).toBe(normalised);
  });

  it('does not treat a segment holding an encoded slash as a dot segment', () => {
    expect(normalizeForBehaviorMatching('/videos/..%2Fkeys/movie/0.key')).toBe('/videos/..%2Fkeys/movie/0.key');
    expect(normalizeForBehaviorMatching('/videos/%2e%2e%2fkeys/0.key')).toBe('/videos/..%2Fkeys/0.key');
  });

  it('collapses repeated slashes', () => {
    expect(normalizeForBehaviorMatching('//keys//movie///0.key')).toBe('/keys/movie/0.key');
  });

  it.each(['/keys/%zz.key', '/keys/%4', '/keys/%', 'keys/movie/0.key'])('refuses what it cannot normalise: %s', (raw) => {
    expect(normalizeForBehaviorMatching(raw)).toBeUndefined();
  });
});

describe('pathPatternMatcher (CloudFront path patterns)', () => {
  it('matches * across slashes and ? as exactly one character', () => {
    expect(matchesPathPattern('/keys/*', '/keys/movie/0.key')).toBe(true);
    expect(matchesPathPattern('/keys/*', '/keys/')).toBe(true);
    expect(matchesPathPattern('/keys/?.key', '/keys/0.key')).toBe(true);
    expect(matchesPathPattern('/keys/?.key', '/keys/10.key')).toBe(false);
    expect(matchesPathPattern('*', '/anything/at/all')).toBe(true);
  });

  it('is case-sensitive and literal about everything else', () => {
    expect(matchesPathPattern('/keys/*', '/Keys/movie/0.key')).toBe(false);
    expect(matchesPathPattern('/keys/*', '/keys%2Fmovie%2F0.key')).toBe(false);
    expect(matchesPathPattern('/keys/*', '/keysX/0.key')).toBe(false);
    expect(matchesPathPattern('/a.b', '/aXb')).toBe(false);
  });

  it('reads a pattern without a leading slash as if it had one', () => {
    expect(matchesPathPattern('keys/*', '/keys/movie/0.key')).toBe(true);
  });

  it('matches an exact pattern only exactly', () => {
    expect(matchesPathPattern('/', '/')).toBe(true);
    expect(matchesPathPattern('/', '/index.html')).toBe(false);
  });
});

describe('the S3 bucket model', () => {
  it('decodes the whole path into the object key, %2F and %5C included, with no dot-segment removal', () => {
    expect(s3ObjectKeyFor('/keys%2Fmovie%2F0.key')).toBe('keys/movie/0.key');
    expect(s3ObjectKeyFor('/keys%2fmovie/0.key')).toBe('keys/movie/0.key');
    expect(s3ObjectKeyFor('/keys%5Cmovie%5C0.key')).toBe('keys\\movie\\0.key');
    expect(s3ObjectKeyFor('/videos/..%2Fkeys/movie/0.key')).toBe('videos/../keys/movie/0.key');
    expect(s3ObjectKeyFor('//keys/movie/0.key')).toBe('/keys/movie/0.key');
    expect(s3ObjectKeyFor('/keys%252F')).toBe('keys%2F');
  });

  it('refuses a malformed escape', () => {
    expect(s3ObjectKeyFor('/keys/%zz')).toBeUndefined();
    expect(s3ObjectKeyFor('/keys/%ff')).toBeUndefined();
  });

  it('finds no object under a key with an empty, . or .. segment, so it never walks the folder', () => {
    const bucket = { dir: '/etc', holds: () => true };
    for (const key of ['../etc/passwd', 'a/../passwd', './passwd', '/passwd', 'a//passwd']) expect(objectFile(bucket, key)).toBeUndefined();
  });

  it('splits an origin folder the way keygate publish does: keys/ in the key bucket, videos/ in the media bucket', () => {
    const { media, keys } = publishedBuckets('/origin');
    expect([media.holds('videos/movie/master.m3u8'), media.holds('keys/movie/0.key')]).toEqual([true, false]);
    expect([keys.holds('keys/movie/0.key'), keys.holds('videos/movie/master.m3u8')]).toEqual([true, false]);
    expect([media.holds('other/file'), keys.holds('other/file')]).toEqual([false, false]);
  });
});

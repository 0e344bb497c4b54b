import { bufferAheadCap, longestKeySpan, segmentKeysOf } from '../../../lib/player-kit/key-window';
import { KeygateKitOptionsError, parseKitOptions, type KeygateKitOptions } from '../../../lib/player-kit/kit-options';

const playlist = (lines: string[]) => ['#EXTM3U', '#EXT-X-TARGETDURATION:2', ...lines, '#EXT-X-ENDLIST'].join('\n');
const key = (n: number) => `#EXT-X-KEY:METHOD=AES-128,URI="../../../keys/movie/${n}.key",IV=0x0000000000000000000000000000000${n}`;
const segment = (n: number, seconds = 2) => [`#EXTINF:${seconds.toFixed(6)},`, `seg${n}.ts`];

describe('segmentKeysOf: the segments of a media playlist and their keys', () => {
  it('gives every segment the key of the last #EXT-X-KEY before it', () => {
    const text = playlist([key(0), ...segment(0), ...segment(1), key(1), ...segment(2, 1.5)]);
    expect(segmentKeysOf(text)).toEqual([
      { duration: 2, keyUri: '../../../keys/movie/0.key' },
      { duration: 2, keyUri: '../../../keys/movie/0.key' },
      { duration: 1.5, keyUri: '../../../keys/movie/1.key' },
    ]);
  });

  it('reads METHOD=NONE, and no key at all, as clear segments', () => {
    const text = playlist([...segment(0), key(0), ...segment(1), '#EXT-X-KEY:METHOD=NONE', ...segment(2)]);
    expect(segmentKeysOf(text).map((s) => s.keyUri)).toEqual([null, '../../../keys/movie/0.key', null]);
  });

  it('finds no segment in a master playlist', () => {
    expect(segmentKeysOf('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000\n180p/index.m3u8\n')).toEqual([]);
  });

  it('reads CRLF line ends', () => {
    expect(segmentKeysOf(playlist([key(0), ...segment(0)]).replace(/\n/g, '\r\n'))).toHaveLength(1);
  });
});

describe('longestKeySpan: the media time one key covers', () => {
  it('is segment duration × rotation for a regular playlist', () => {
    const lines = [0, 1, 2].flatMap((k) => [key(k), ...[0, 1, 2, 3].flatMap((s) => segment(k * 4 + s))]);
    expect(longestKeySpan(segmentKeysOf(playlist(lines)))).toBe(8);
  });

  it('is the longest window when windows differ (a short last one, a repeated tag for the same key)', () => {
    const lines = [key(0), ...segment(0), key(0), ...segment(1), ...segment(2), key(1), ...segment(3)];
    expect(longestKeySpan(segmentKeysOf(playlist(lines)))).toBe(6);
  });

  it('is the whole video when one key covers it all (nothing to gain by buffering less)', () => {
    expect(longestKeySpan(segmentKeysOf(playlist([key(0), ...segment(0), ...segment(1), ...segment(2)])))).toBe(6);
  });

  it('is undefined for a clear playlist', () => {
    expect(longestKeySpan(segmentKeysOf(playlist([...segment(0), ...segment(1)])))).toBeUndefined();
  });

  it('does not join two windows of the same key separated by clear segments', () => {
    const lines = [key(0), ...segment(0), '#EXT-X-KEY:METHOD=NONE', ...segment(1), key(0), ...segment(2)];
    expect(longestKeySpan(segmentKeysOf(playlist(lines)))).toBe(2);
  });
});

describe('bufferAheadCap', () => {
  // Four 2 s segments per key: an 8 s key window.
  const eightSecondKeys = segmentKeysOf(playlist([0, 1, 2].flatMap((n) => [key(n), ...[0, 1, 2, 3].flatMap((s) => segment(4 * n + s))])));

  it('caps at the playlist’s key window less one segment, so a segment started below the cap keeps its key within the window', () => {
    expect(bufferAheadCap('auto', eightSecondKeys, 30)).toBe(6);
  });
  it('never goes above the player’s own setting', () => expect(bufferAheadCap('auto', eightSecondKeys, 4)).toBe(4));
  it('subtracts the longest segment, not the first', () => {
    // A 14 s window whose third segment is 4 s long.
    const uneven = segmentKeysOf(playlist([key(0), ...[2, 2, 4, 2, 2, 2].flatMap((seconds, n) => segment(n, seconds))]));
    expect(bufferAheadCap('auto', uneven, 30)).toBe(10);
  });
  it('keeps two segments when the window holds only two (less stalled video.js under load), and never more than the window', () => {
    const twoPerKey = segmentKeysOf(playlist([key(0), ...segment(0), ...segment(1), key(1), ...segment(2), ...segment(3)]));
    expect(bufferAheadCap('auto', twoPerKey, 30)).toBe(4);
    const keyPerSegment = segmentKeysOf(playlist([key(0), ...segment(0), key(1), ...segment(1)]));
    expect(bufferAheadCap('auto', keyPerSegment, 30)).toBe(2);
  });
  it('uses a given window whatever the playlist says', () => expect(bufferAheadCap(12, eightSecondKeys, 30)).toBe(10));
  it('leaves the player alone when off, or when the playlist has no key', () => {
    expect(bufferAheadCap('off', eightSecondKeys, 30)).toBeUndefined();
    expect(bufferAheadCap('auto', segmentKeysOf(playlist([...segment(0), ...segment(1)])), 30)).toBeUndefined();
  });
});

describe('the keyWindowSeconds option', () => {
  const parse = (keyWindowSeconds: unknown) => parseKitOptions({ auth: 'cookie', keyWindowSeconds } as KeygateKitOptions).keyWindow;
  it('is auto by default', () => expect(parse(undefined)).toBe('auto'));
  it.each(['auto', 'off', 8, 0.5, 3600])('accepts %j', (value) => expect(parse(value)).toBe(value));
  it.each([0, -1, 3601, Number.NaN, Number.POSITIVE_INFINITY, '8', 'none', null])('refuses %j', (value) => {
    expect(() => parse(value)).toThrow(KeygateKitOptionsError);
    expect(() => parse(value)).toThrow(/keyWindowSeconds/);
  });
});

import { aes128KeyTag, readKeyTag } from '../../../lib/live/hls-key-signaling';
import { ivForKey, keyNameOfPeriod, parseKeyUriBase } from '../../../lib/live/live-key-material';
import { kidForPeriod } from '../../../lib/live/cpix-key-request-document';
import { fixedChannelRegistry } from '../../../lib/live/channel-registry';
import { parseCpixXml } from '../../../lib/live/cpix-xml';
import { KID_PATTERN } from '../../../lib/live/speke-profile';

describe('live key material', () => {
  it('names a period after its index, and refuses what is not a whole number', () => {
    expect(keyNameOfPeriod(28511)).toBe('28511');
    expect(() => keyNameOfPeriod(-1)).toThrow(/whole number/);
    expect(() => keyNameOfPeriod(1.5)).toThrow(/whole number/);
  });

  it('derives one IV per key, different for different keys', () => {
    const a = new Uint8Array(16).fill(1);
    const b = new Uint8Array(16).fill(2);
    expect(ivForKey(a)).toEqual(ivForKey(new Uint8Array(16).fill(1)));
    expect(ivForKey(a)).not.toEqual(ivForKey(b));
    expect(ivForKey(a)).toHaveLength(16);
  });

  it.each(['http://d111.cloudfront.net', 'https://d111.cloudfront.net/videos', 'https://d.example?x=1', 'not a url'])(
    'refuses %s as the base of key URIs',
    (base) => expect(() => parseKeyUriBase(base)).toThrow(/key URI base|not a URL/),
  );

  it('accepts an https origin, and plain http on loopback for keygate dev', () => {
    expect(parseKeyUriBase('https://video.example.com/')).toBe('https://video.example.com');
    expect(parseKeyUriBase('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });

  it('takes / alone as "key URIs by path", on the origin that serves the playlist', () => {
    expect(parseKeyUriBase('/')).toBe('');
    expect(() => parseKeyUriBase('/keys')).toThrow(/not a URL/);
    expect(() => parseKeyUriBase('')).toThrow(/not a URL/);
  });

  it('gives a period of a channel one stable UUID as its KID', () => {
    expect(kidForPeriod('concert', 7)).toBe(kidForPeriod('concert', 7));
    expect(kidForPeriod('concert', 7)).not.toBe(kidForPeriod('concert', 8));
    expect(kidForPeriod('concert', 7)).toMatch(KID_PATTERN);
  });

  it('refuses a registry of channel ids that are not video ids', () => {
    expect(() => fixedChannelRegistry(['ok', 'not/ok'])).toThrow(/not a channel id/);
  });
});

describe('the EXT-X-KEY tag of HLSSignalingData', () => {
  it('reads back the attributes it was written with', () => {
    const tag = readKeyTag(aes128KeyTag('#EXT-X-KEY', 'https://d.example/keys/concert/5.key'));
    expect(Object.fromEntries(tag ?? [])).toEqual({
      METHOD: 'AES-128',
      URI: 'https://d.example/keys/concert/5.key',
      KEYFORMAT: 'identity',
      KEYFORMATVERSIONS: '1',
    });
  });

  it.each(['#EXT-X-KEY:METHOD=AES-128,URI="unterminated', '#EXT-X-MEDIA:TYPE=AUDIO', '#EXT-X-KEY:METHOD', '#EXT-X-KEY:uri="x"'])(
    'reads %s as no key tag',
    (line) => expect(readKeyTag(line)).toBeUndefined(),
  );

  it('will not write a URI that could break out of its quotes', () => {
    expect(() => aes128KeyTag('#EXT-X-KEY', 'https://d.example/"x')).toThrow(/quotes/);
  });
});

describe('the CPIX parser', () => {
  it('refuses a DOCTYPE even without entities, and an encoding other than UTF-8', () => {
    expect(() => parseCpixXml(Buffer.from('<!DOCTYPE x><x/>'))).toThrow('DOCTYPE and ENTITY declarations are refused');
    expect(() => parseCpixXml(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><x/>'))).toThrow(/declares the encoding/);
  });

  it('reads a UTF-8 document with a byte order mark', () => {
    expect(parseCpixXml(Buffer.from('\ufeff<x/>')).documentElement?.localName).toBe('x');
  });
});

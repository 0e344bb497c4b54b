import { createHmac } from 'node:crypto';
import { KEY_NAME_PATTERN, VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { KEYS_PREFIX } from '../media/origin-layout';

/** AES-128: 16 key bytes, 16 IV bytes. */
export const KEY_BYTES = 16;

/**
 * A key period's key name: its index, in decimal. Periods only grow over a channel's life (SPEKE
 * tracks them by index alone), so a name never stands for two keys; and since the first key stored
 * under a name is the one every later request gets, a packager restart cannot change it either.
 */
export function keyNameOfPeriod(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new KeygateError(`a key period index is a whole number ≥ 0, not ${index}`, 'period');
  return String(index);
}

/**
 * The IV of a key: HMAC-SHA256 of a fixed label under the key, cut to 16 bytes. It is public (the
 * playlist carries it) and tells nothing of the key; being a function of the key, every answer for a
 * period (retries, a second packager, a second pipeline) carries the same IV without storing one.
 */
export function ivForKey(key: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update('keygate live iv').digest().subarray(0, KEY_BYTES));
}

/** The key bucket's object key of a live key: the same layout as a packaged video's keys. */
export function liveKeyObjectKey(channel: string, name: string): string {
  if (!VIDEO_ID_PATTERN.test(channel) || !KEY_NAME_PATTERN.test(name)) throw new KeygateError(`not a key path: ${channel}/${name}`);
  return `${KEYS_PREFIX}${channel}/${name}.key`;
}

/** A URL on this machine: plain http is allowed there (keygate dev, tests), nowhere else. */
export const isLoopbackUrl = (url: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The key URI base that makes playlists name keys by path alone (`/keys/<channel>/<name>.key`). */
export const ROOT_RELATIVE_KEY_URIS = '/';

/**
 * Checks the base of key URIs, Keygate's distribution (`https://d111.cloudfront.net`, or a custom
 * domain): https, no path, query or fragment; plain http only on loopback, for `keygate dev`. Or
 * `/` alone: key URIs by path, resolved against the playlist's own origin, which is Keygate's
 * distribution whenever the playlists are served by it (`keygate live`, `keygate dev --live`, where
 * the viewer's address is not known in advance).
 */
export function parseKeyUriBase(value: string): string {
  if (value === ROOT_RELATIVE_KEY_URIS) return '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KeygateError(
      `${JSON.stringify(value)} is not a URL: give the distribution's address, like https://d111.cloudfront.net`,
      'keyUriBase',
    );
  }
  const loopback = isLoopbackUrl(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new KeygateError(`the key URI base ${value} must use https (plain http only on loopback)`, 'keyUriBase');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new KeygateError(`the key URI base ${value} must be an origin only, like https://d111.cloudfront.net`, 'keyUriBase');
  }
  return url.origin;
}

/** The URI a playlist names for a live key: Keygate's gated key path on the distribution. */
export const liveKeyUri = (base: string, channel: string, name: string): string => `${base}/${liveKeyObjectKey(channel, name)}`;

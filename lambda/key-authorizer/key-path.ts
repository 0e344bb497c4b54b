import { KEY_NAME_PATTERN, VIDEO_ID_PATTERN } from './entitlement-schema';

export type KeyRoute =
  | { kind: 'key'; videoId: string; keyName: string }
  | { kind: 'preflight'; videoId: string; keyName: string }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed' };

/** The CloudFront path pattern of the keys behavior, the only one this function runs on. */
export const KEYS_PATH_PATTERN = '/keys/*';

/**
 * The only shape a key URI may take. The URI is matched as CloudFront delivers it (still
 * percent-encoded), so `%2e`, `%2f`, `..`, `//` and `\` can never match and nothing is decoded.
 */
const KEY_URI = /^\/keys\/([^/]+)\/([^/]+)\.key$/;

export function routeKeyRequest(method: string, uri: string): KeyRoute {
  const match = KEY_URI.exec(uri);
  if (!match || !VIDEO_ID_PATTERN.test(match[1]) || !KEY_NAME_PATTERN.test(match[2])) {
    return { kind: 'not-found' };
  }
  const [, videoId, keyName] = match;
  if (method === 'GET' || method === 'HEAD') return { kind: 'key', videoId, keyName };
  if (method === 'OPTIONS') return { kind: 'preflight', videoId, keyName };
  return { kind: 'method-not-allowed' };
}

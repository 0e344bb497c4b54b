import { KEY_NAME_PATTERN, VIDEO_ID_PATTERN } from '../entitlements/entitlement-schema';
import { COMPACT_JWS_PATTERN } from '../identity/compact-jws';

/** A key request: the video and key it names, the token its path carries (if any), and the key object's path. */
interface KeyTarget {
  videoId: string;
  keyName: string;
  /** `/keys/<videoId>/<keyName>.key`: what the key bucket is asked for, whatever path the viewer used. */
  keyPath: string;
  /** The token of a `/<prefix>/<token>/keys/…` path. */
  pathToken?: string;
}

export type KeyRoute =
  ({ kind: 'key' } & KeyTarget) | ({ kind: 'preflight' } & KeyTarget) | { kind: 'not-found' } | { kind: 'method-not-allowed' };

/** The CloudFront path pattern of the keys behavior. */
export const KEYS_PATH_PATTERN = '/keys/*';
/** The path pattern of the keys behavior for path-token URLs (`/<prefix>/<token>/keys/…`). */
export const pathTokenKeysPattern = (prefix: string) => `/${prefix}/*/keys/*`;
/** The path pattern of path-token media (`/<prefix>/<token>/videos/…`), whose CloudFront Function strips the token. */
export const pathTokenMediaPattern = (prefix: string) => `/${prefix}/*`;
/** A path token as it may stand in a URL: the compact JWS alphabet only, never an escape. */
const PATH_TOKEN = COMPACT_JWS_PATTERN;

/**
 * The only shape a key URI may take. The URI is matched as CloudFront delivers it (still
 * percent-encoded), so `%2e`, `%2f`, `..`, `//` and `\` can never match and nothing is decoded.
 */
const KEY_URI = /^\/keys\/([^/]+)\/([^/]+)\.key$/;

/**
 * Routes a request of a keys behavior. `pathTokenPrefix` enables `/<prefix>/<token>/keys/…`; the
 * token is split off by position (linear), and whatever follows must be a plain key path.
 */
export function routeKeyRequest(method: string, uri: string, pathTokenPrefix?: string): KeyRoute {
  let pathToken: string | undefined;
  let keyPath = uri;
  if (pathTokenPrefix !== undefined && uri.startsWith(`/${pathTokenPrefix}/`)) {
    const rest = uri.slice(pathTokenPrefix.length + 2);
    const slash = rest.indexOf('/');
    if (slash <= 0 || !PATH_TOKEN.test(rest.slice(0, slash))) return { kind: 'not-found' };
    pathToken = rest.slice(0, slash);
    keyPath = rest.slice(slash);
  }
  const match = KEY_URI.exec(keyPath);
  if (!match || !VIDEO_ID_PATTERN.test(match[1]) || !KEY_NAME_PATTERN.test(match[2])) {
    return { kind: 'not-found' };
  }
  const [, videoId, keyName] = match;
  const target: KeyTarget = { videoId, keyName, keyPath, ...(pathToken !== undefined ? { pathToken } : {}) };
  if (method === 'GET' || method === 'HEAD') return { kind: 'key', ...target };
  if (method === 'OPTIONS') return { kind: 'preflight', ...target };
  return { kind: 'method-not-allowed' };
}

import type { AuthorizerConfig } from '../config/authorizer-config';

export type Credential =
  { kind: 'jwt'; token: string; source: 'path' | 'bearer' | 'cookie' | 'query' } | { kind: 'uid-cookie'; uid: string } | { kind: 'none' };

/** Request parts as the authorizer sees them: lower-cased header names, each with its values. */
export interface RequestParts {
  headers: Record<string, string[]>;
  querystring: string;
}

const LEGACY_UID_COOKIE = 'uid';

export function parseCookies(headerValues: string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of headerValues ?? []) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      // The first occurrence wins, as in browsers' own ordering (most specific path first).
      if (!cookies.has(name)) cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  return cookies;
}

const BEARER_SCHEME = 'bearer';

/**
 * Any Bearer header is the credential, even empty or malformed (then judged bad-token, never passed
 * over to a cookie). A header of another scheme is passed over: it may be meant for something else.
 * Parsed by hand, in linear time: a regex with optional whitespace before `.*` backtracked
 * quadratically on a long header.
 */
function bearerToken(headerValues: string[] | undefined): string | undefined {
  const value = headerValues?.[0]?.trim();
  if (value === undefined || value.slice(0, BEARER_SCHEME.length).toLowerCase() !== BEARER_SCHEME) return undefined;
  const rest = value.slice(BEARER_SCHEME.length);
  // `Bearerx` is another scheme; the scheme ends at the end of the header or at a space or tab.
  if (rest !== '' && rest[0] !== ' ' && rest[0] !== '\t') return undefined;
  return rest.trim();
}

function queryParameter(querystring: string, name: string): string | undefined {
  for (const pair of querystring.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/**
 * Finds the viewer's credential, in a fixed order: Authorization bearer, the token cookie, the
 * `token` query parameter, then (only when enabled) the legacy `uid` cookie. The first one found
 * is the only one judged: a bad bearer is never rescued by a good-looking cookie.
 */
export function findCredential(request: RequestParts, config: AuthorizerConfig): Credential {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== undefined) return { kind: 'jwt', token: bearer, source: 'bearer' };
  const cookies = parseCookies(request.headers.cookie);
  const cookieToken = cookies.get(config.cookieName);
  if (cookieToken) return { kind: 'jwt', token: cookieToken, source: 'cookie' };
  const queryToken = queryParameter(request.querystring, config.queryParameter);
  if (queryToken) return { kind: 'jwt', token: queryToken, source: 'query' };
  if (config.allowUidCookie) {
    const uid = cookies.get(LEGACY_UID_COOKIE);
    if (uid) return { kind: 'uid-cookie', uid: safeDecode(uid) };
  }
  return { kind: 'none' };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The request to forward to the origin: without the Authorization header, the credential
 * cookies and the token parameter, so no credential reaches S3, its logs or the cache key.
 */
export function stripCredentials(request: RequestParts, config: AuthorizerConfig): RequestParts {
  const headers: Record<string, string[]> = {};
  const removedCookies = new Set([config.cookieName, LEGACY_UID_COOKIE]);
  for (const [name, values] of Object.entries(request.headers)) {
    if (name === 'authorization') continue;
    if (name === 'cookie') {
      const kept = values
        .flatMap((v) => v.split(';'))
        .map((p) => p.trim())
        .filter((p) => p.length > 0 && !removedCookies.has(p.slice(0, Math.max(p.indexOf('='), 0)).trim()));
      if (kept.length > 0) headers.cookie = [kept.join('; ')];
      continue;
    }
    headers[name] = values;
  }
  const querystring = request.querystring
    .split('&')
    .filter((pair) => pair.length > 0 && (pair.split('=')[0] ?? '') !== config.queryParameter)
    .join('&');
  return { headers, querystring };
}

import { routeKeyRequest } from '../../lambda/key-authorizer/contract';
import type { HttpGet } from './raw-http';

/**
 * `keygate verify` runs with the deployment's signing key and table access, so a playlist is hostile
 * input: whoever can change one must not steer the canary's tokens or grants anywhere. Every URI a
 * playlist names must stay on the distribution it was given (same scheme, host and port) and take
 * the shape Keygate publishes; anything else is refused before it is asked for.
 */
export type Confined<T> = T | { problem: string };

/** A path segment Keygate writes: no escape (`%2F`, `%2e`), no dot segment, no backslash. */
const PLAIN_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const sameOrigin = (url: URL, distribution: URL) =>
  url.protocol === distribution.protocol && url.host === distribution.host && url.username === '' && url.password === '';

/** `/videos/<videoId>/` then plain segments only: the media of that one video, spelled plainly. */
function isMediaPathOf(pathname: string, videoId: string): boolean {
  const prefix = `/videos/${videoId}/`;
  return (
    pathname.startsWith(prefix) &&
    pathname
      .slice(prefix.length)
      .split('/')
      .every((segment) => PLAIN_SEGMENT.test(segment))
  );
}

interface Scope {
  /** The playlist the URI stands in: relative URIs resolve against it, as a player resolves them. */
  base: URL;
  distribution: URL;
  videoId: string;
}

/** Resolves a playlist's URI and refuses it off the distribution or with a query; `refuse` words a refusal of its path. */
function resolveOnDistribution(
  uri: string,
  scope: Scope,
  role: string,
): Confined<{ url: URL; refuse: (why: string) => { problem: string } }> {
  let url: URL;
  try {
    url = new URL(uri, scope.base);
  } catch {
    return { problem: `the playlist names a ${role} URI ${JSON.stringify(uri)} that is not a URL: refused` };
  }
  const refuse = (why: string) => ({
    problem: `the playlist names the ${role} URI ${url.href}, ${why}: refused (verify talks only to ${scope.distribution.origin} and asks only for video ${scope.videoId})`,
  });
  if (!sameOrigin(url, scope.distribution)) return refuse('which leaves the distribution');
  if (url.search !== '') return refuse('which carries a query string Keygate never writes');
  return { url, refuse };
}

/** A variant playlist or segment URI: accepted only as a plain path under `/videos/<videoId>/` on the distribution. */
export function confineMediaUri(uri: string, scope: Scope, role: 'variant playlist' | 'segment'): Confined<{ url: URL }> {
  const resolved = resolveOnDistribution(uri, scope, role);
  if ('problem' in resolved) return resolved;
  if (!isMediaPathOf(resolved.url.pathname, scope.videoId))
    return resolved.refuse(`which is not a plain path under /videos/${scope.videoId}/`);
  return { url: resolved.url };
}

/**
 * A key URI: accepted only as exactly `/keys/<videoId>/<keyName>.key` on the distribution, for the
 * video asked for. No path-token prefix either: verify sends its token as a header, never in a path.
 */
export function confineKeyUri(uri: string, scope: Scope): Confined<{ url: URL; keyName: string }> {
  const resolved = resolveOnDistribution(uri, scope, 'key');
  if ('problem' in resolved) return resolved;
  const route = routeKeyRequest('GET', resolved.url.pathname);
  if (route.kind !== 'key') return resolved.refuse('which is not a /keys/<videoId>/<keyName>.key path');
  if (route.videoId !== scope.videoId) return resolved.refuse(`which names the key of video ${route.videoId}`);
  return { url: resolved.url, keyName: route.keyName };
}

/** Thrown when a request would leave the distribution: a bug in verify, never a verdict on the deployment. */
export class RequestOffDistributionError extends Error {
  constructor(origin: URL, distribution: URL) {
    super(`refused a request to ${origin.origin}: verify talks only to ${distribution.origin}`);
    this.name = 'RequestOffDistributionError';
  }
}

/** An HttpGet that can reach only the distribution, whatever URL it is handed (defence in depth behind confineUri). */
export function distributionOnly(http: HttpGet, distribution: URL): HttpGet {
  return (origin, rawPath, headers) => {
    if (!sameOrigin(origin, distribution)) return Promise.reject(new RequestOffDistributionError(origin, distribution));
    return http(distribution, rawPath, headers);
  };
}

/** A 3xx answer, in words: verify never follows a redirect (its target could be anywhere). */
export function redirectProblem(status: number, location: string | undefined): string | undefined {
  if (status < 300 || status > 399) return undefined;
  return `a ${status} redirect${location ? ` to ${location}` : ''}, which verify does not follow (it talks only to the distribution)`;
}

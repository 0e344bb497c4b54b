/**
 * How CloudFront chooses a cache behavior, as its developer guide documents it: the path is
 * normalised consistent with RFC 3986 (percent-encoded unreserved characters decoded, the hex of
 * other escapes upper-cased, repeated slashes collapsed, dot segments removed) and matched against
 * each behavior's path pattern in order; the raw path, not the normalised one, goes to the origin.
 * `%2F` and `%5C` are not unreserved, so they stay encoded here, and S3 decodes them later.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/** RFC 3986 §5.2.4, on a path that starts with `/`. */
function removeDotSegments(path: string): string {
  const input = path.split('/').slice(1);
  const output: string[] = [];
  input.forEach((segment, i) => {
    const last = i === input.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      // `/a/b/..` is `/a/`: a dot segment at the end leaves a trailing slash.
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return `/${output.join('/')}`;
}

/**
 * The path CloudFront matches behaviors against, or undefined for a path it would refuse
 * (a malformed escape, or not an absolute path).
 */
export function normalizeForBehaviorMatching(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  let path = '';
  for (let i = 0; i < rawPath.length; i++) {
    const char = rawPath[i];
    if (char !== '%') {
      path += char;
      continue;
    }
    const hex = rawPath.slice(i + 1, i + 3);
    if (!HEX_PAIR.test(hex)) return undefined;
    const decoded = String.fromCharCode(parseInt(hex, 16));
    path += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return removeDotSegments(path.replace(/\/{2,}/g, '/'));
}

/** A CloudFront path pattern as a matcher: case-sensitive, `*` for any run of characters, `?` for exactly one. */
export function pathPatternMatcher(pattern: string): (path: string) => boolean {
  const anchored = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const source = anchored
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 's');
  return (path) => regex.test(path);
}

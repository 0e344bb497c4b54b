import { PATH_TOKEN_PREFIX } from '../key-authorizer/config/authorizer-config';
import { COMPACT_JWS_PATTERN } from '../key-authorizer/identity/compact-jws';

/**
 * The source of the CloudFront Function (cloudfront-js-2.0, viewer-request) on `/<prefix>/*`: it
 * turns `/<prefix>/<token>/videos/…` into `/videos/…` before the cache lookup, so every viewer
 * shares one cache entry per playlist and segment. It does not verify the token (media is public
 * and encrypted; the path-token keys behavior runs the key authorizer, which does), and
 * it answers 404 to anything else, so this behavior serves nothing but media.
 */
export function stripPathTokenFunctionCode(prefix: string): string {
  if (!PATH_TOKEN_PREFIX.test(prefix)) throw new Error(`path-token prefix ${JSON.stringify(prefix)} is not a plain path segment`);
  return `var PREFIX = '/${prefix}/';
var TOKEN = /${COMPACT_JWS_PATTERN.source}/;
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf(PREFIX) === 0) {
    var rest = uri.slice(PREFIX.length);
    var slash = rest.indexOf('/');
    var path = slash > 0 ? rest.slice(slash) : '';
    if (TOKEN.test(rest.slice(0, slash)) && path.indexOf('/videos/') === 0) {
      request.uri = path;
      return request;
    }
  }
  return { statusCode: 404, statusDescription: 'Not Found' };
}
`;
}

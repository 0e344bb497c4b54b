/**
 * A compact JWS: three base64url parts, unpadded. The one definition behind the verifier (Buffer's decoder
 * silently skips other characters, so refuse them first), the path-token route and the CloudFront Function
 * that strips path tokens from media URLs.
 */
export const COMPACT_JWS_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

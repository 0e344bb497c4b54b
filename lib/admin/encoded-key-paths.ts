/**
 * Other spellings of `/keys/<videoId>/<keyName>.key` that a distribution must never answer with the
 * key. CloudFront picks a behavior on the RFC 3986-normalised path (where `%2F` and `%5C` stay
 * encoded, unreserved escapes are decoded, `//` and dot segments are removed) and forwards the raw
 * path, which S3 decodes whole: so a spelling can miss `/keys/*` and its authorizer yet name the
 * key object, which then leaks if any other behavior can read the key bucket.
 */
export function encodedKeyPaths(videoId: string, keyName: string): string[] {
  const rest = `${videoId}/${keyName}.key`;
  const encodedRest = `${videoId}%2F${keyName}.key`;
  return [
    // Encoded slashes: not separators for behavior matching, separators for S3.
    `/keys%2F${encodedRest}`,
    `/keys%2f${videoId}%2f${keyName}.key`,
    `/keys%2F${rest}`,
    `/keys%2F${videoId}%2F${keyName}%2Ekey`,
    // Unreserved escapes are decoded for matching, which still sees %2F.
    `/k%65ys%2F${encodedRest}`,
    `/%6B%65%79%73%2F${encodedRest}`,
    // Backslashes are no separators for S3.
    `/keys%5C${videoId}%5C${keyName}.key`,
    // Dot segments: removed for matching, kept (or decoded later) by S3.
    `/videos/..%2Fkeys/${rest}`,
    `/videos/..%2F..%2Fkeys%2F${encodedRest}`,
    `/videos/%2E%2E/keys/${rest}`,
    `/videos%2F..%2Fkeys%2F${encodedRest}`,
    // Doubled slashes and case: collapsed for matching, kept by S3; patterns and keys are case-sensitive.
    `//keys%2F${encodedRest}`,
    `/Keys/${rest}`,
    // Double encoding: S3 decodes once.
    `/keys%252F${videoId}%252F${keyName}.key`,
    // An escape inside the key path, which the authorizer sees raw.
    `/keys/${encodedRest}`,
  ];
}

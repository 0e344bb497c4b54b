/** The path segment that marks a key URL; only such requests carry the bearer token. */
const KEYS_SEGMENT = '/keys/';

/** True for a key request: its URL, resolved against the page, has `/keys/` in its path (never playlists or segments). */
export function isKeyUrl(url: string, base: string): boolean {
  try {
    return new URL(url, base).pathname.includes(KEYS_SEGMENT);
  } catch {
    return false;
  }
}

/** The page's URL in a browser; tests in node pass their own base. */
export const pageUrl = (): string => globalThis.location?.href ?? 'http://localhost/';

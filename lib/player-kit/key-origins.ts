/**
 * Where a key request may carry the viewer's credentials: only to a key origin (scheme, host and
 * port, compared as the browser compares origins), never to whatever host a playlist names. A
 * playlist can come from a compromised origin or a third party; a key URI on another origin then
 * receives nothing (a token there would open every video the viewer owns until it expires).
 */

/** The origin of an http(s) URL, resolved against `base`; undefined for any other scheme or an unreadable URL. */
export function httpOriginOf(url: string, base?: string): string | undefined {
  try {
    const parsed = new URL(url, base);
    // `URL.origin` lower-cases the host, turns an IDN host into its punycode and drops a default port.
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the `keyOrigins` option: each entry an http(s) origin such as `https://video.example.com`
 * (a trailing `/` is allowed; a path, query, fragment or user info is not, since an origin has none).
 * Returns the entries normalised as the browser writes origins, or undefined when one is not an origin.
 */
export function parseOriginList(entries: unknown): string[] | undefined {
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  const origins: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(entry);
    } catch {
      return undefined;
    }
    const bare = parsed.pathname === '/' && parsed.search === '' && parsed.hash === '' && parsed.username === '' && parsed.password === '';
    const origin = httpOriginOf(entry);
    if (!bare || origin === undefined || !/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/?$/i.test(entry.trim())) return undefined;
    origins.push(origin);
  }
  return origins;
}

/**
 * The key origins of one player: those the integrator configured, or else the origin of the source
 * the player loaded (the master playlist's URL). Until a source is known, no origin is a key origin.
 */
export class KeyOrigins {
  private sourceOrigin: string | undefined;

  constructor(
    private readonly configured: readonly string[] | undefined,
    private readonly base: () => string,
  ) {}

  /** The player loads this source: without configured origins, its origin becomes the key origin. */
  useSource(url: string | null | undefined): void {
    this.sourceOrigin = url ? httpOriginOf(url, this.base()) : undefined;
  }

  /** True when `url`, resolved against the page, is on a key origin. */
  includes(url: string): boolean {
    const origin = httpOriginOf(url, this.base());
    if (origin === undefined) return false;
    return this.configured !== undefined ? this.configured.includes(origin) : origin === this.sourceOrigin;
  }
}

/** The page's URL in a browser (the base of relative URLs); tests in node pass their own base. */
export const pageUrl = (): string => globalThis.location?.href ?? 'http://localhost/';

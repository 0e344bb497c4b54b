/** One content key of a live channel's key period, as a packager needs it. */
export interface LiveKey {
  /** The key period's index: increases for the channel's whole life, never reused. */
  readonly period: number;
  /** The key's name in Keygate's key path: /keys/<channel>/<name>.key */
  readonly name: string;
  /** The 16 key bytes. */
  readonly key: Uint8Array;
  /** The 16-byte IV the playlist carries (EXT-X-KEY IV). */
  readonly iv: Uint8Array;
  /** The URI the playlist names (URIExtXKey): Keygate's gated key URL. */
  readonly uri: string;
}
/** Where a packager gets the key for a period; the key is stored in the key bucket BEFORE this resolves. */
export interface LiveKeySource {
  keyFor(channel: string, period: number): Promise<LiveKey>;
}

/**
 * How far ahead of the playhead a player may buffer, hence fetch keys. A key is fetched with the first
 * segment of its rotation window, so a player that buffers far ahead (hls.js grows its buffer up to
 * 600 s within 60 MB: a small rendition's whole film) has every key long before it plays, and a revoke,
 * a rental's end or `end-session` bites only when the buffer runs out. The kit caps the forward buffer at
 * one key window: the next key is asked for about one window before the playhead reaches it, and a
 * refusal stops playback within about one window of the moment the authorizer starts refusing
 * (see bufferAheadCap for the segment it leaves for players that fetch past their goal).
 */

/** The `keyWindowSeconds` option: `auto` (read from the media playlist), a given window, or `off` (the player's own buffering). */
export type KeyWindowSetting = 'auto' | 'off' | number;

/** One segment of a media playlist: its duration and the URI of the key it is encrypted with (null when clear). */
export interface SegmentKey {
  duration: number;
  keyUri: string | null;
}

/**
 * The longest stretch of media time one key covers: consecutive segments sharing a key URI. Undefined
 * when no segment is encrypted (there is no key to gate, so no reason to buffer less).
 */
export function longestKeySpan(segments: readonly SegmentKey[]): number | undefined {
  let longest: number | undefined;
  let run = 0;
  let runKey: string | null = null;
  for (const { duration, keyUri } of segments) {
    run = keyUri !== null && keyUri === runKey ? run + duration : duration;
    runKey = keyUri;
    if (keyUri !== null) longest = Math.max(longest ?? 0, run);
  }
  return longest;
}

/**
 * The segments of a media playlist's text, with their keys: just enough of HLS for the key window
 * (`#EXT-X-KEY` applies to every following segment until the next one; `METHOD=NONE` clears it).
 * A master playlist has no segments.
 */
export function segmentKeysOf(playlist: string): SegmentKey[] {
  const segments: SegmentKey[] = [];
  let keyUri: string | null = null;
  let duration: number | undefined;
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-KEY:')) {
      const method = /(?:^|[:,])METHOD=([^,]*)/.exec(line)?.[1];
      keyUri = method === undefined || method === 'NONE' ? null : (/(?:^|[:,])URI="([^"]*)"/.exec(line)?.[1] ?? null);
    } else if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line !== '' && !line.startsWith('#') && duration !== undefined) {
      if (Number.isFinite(duration) && duration > 0) segments.push({ duration, keyUri });
      duration = undefined;
    }
  }
  return segments;
}

/**
 * The forward buffer the kit allows, in seconds, or undefined to leave the player's own: the key
 * window (the given one, or the playlist's longest key span when `auto`) less its longest segment,
 * but never under two segments (nor over the window), and never more than the player's own setting.
 * A player starts a segment while its buffer is below the goal, and some fetch one more beside it
 * (Shaka 5's `segmentPrefetchLimit` is 1), so the buffer's end, and the keys fetched, run up to one
 * segment past the goal: a cap of one whole window let a player hold two keys ahead at a window
 * boundary. Below two segments video.js stalled for good on a loaded machine (measured: a 4 s
 * window of 2 s segments), so with windows that short one key ahead is not promised.
 */
export function bufferAheadCap(setting: KeyWindowSetting, segments: readonly SegmentKey[], playerSetting: number): number | undefined {
  if (setting === 'off') return undefined;
  const window = setting === 'auto' ? longestKeySpan(segments) : setting;
  if (window === undefined) return undefined;
  const segment = segments.reduce((longest, { duration }) => Math.max(longest, duration), 0);
  const cap = Math.min(window, Math.max(window - segment, 2 * segment));
  return Math.min(cap, playerSetting);
}

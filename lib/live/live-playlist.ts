/** One segment of a live media playlist, with the key of its period. */
export interface LiveEntry {
  sequence: number;
  /** Seconds, as EXTINF says. */
  duration: number;
  /** The segment's URI relative to the playlist. */
  uri: string;
  key: { period: number; uri: string; iv: Uint8Array };
  /** The first segment after the encoder restarted: timestamps start over. */
  discontinuity: boolean;
}

export interface LivePlaylistOptions {
  /** At least the segment length: a constant for the channel's life, as RFC 8216 requires. */
  targetDuration: number;
  /** Discontinuities that have slid out of the window (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence: number;
  /** The event is over: players stop reloading. */
  ended: boolean;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * A sliding-window media playlist (RFC 8216 §6.2.2): the window's segments, an EXT-X-KEY wherever
 * the key period changes (and before the first segment, so a late joiner needs no earlier key), and
 * EXT-X-ENDLIST once the event is over.
 */
export function renderLivePlaylist(entries: readonly LiveEntry[], options: LivePlaylistOptions): string {
  if (entries.length === 0) throw new Error('a live playlist needs at least one segment');
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${options.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${entries[0].sequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${options.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let period: number | undefined;
  for (const entry of entries) {
    if (entry.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (entry.key.period !== period) {
      lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${entry.key.uri}",IV=0x${hex(entry.key.iv)}`);
      period = entry.key.period;
    }
    lines.push(`#EXTINF:${entry.duration.toFixed(3)},`, entry.uri);
  }
  if (options.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * The segments a rendition's playlist lists: the last `size`, oldest first. Counts the
 * discontinuities that slide out, as the playlist must say.
 */
export class LiveWindow {
  private readonly entries: LiveEntry[] = [];
  discontinuitySequence: number;

  constructor(
    private readonly size: number,
    discontinuitySequence = 0,
  ) {
    this.discontinuitySequence = discontinuitySequence;
  }

  push(entry: LiveEntry): void {
    this.entries.push(entry);
    while (this.entries.length > this.size) if (this.entries.shift()?.discontinuity) this.discontinuitySequence++;
  }

  get current(): readonly LiveEntry[] {
    return this.entries;
  }
}

export interface MasterRendition {
  name: string;
  width: number;
  height: number;
  /** Peak bits per second, as BANDWIDTH requires. */
  bandwidth: number;
}

/** The master playlist: one variant per rendition, each at `<name>/index.m3u8`. */
export function renderLiveMaster(renditions: readonly MasterRendition[], codecs: string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of renditions)
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},RESOLUTION=${r.width}x${r.height},CODECS="${codecs}"`, `${r.name}/index.m3u8`);
  return `${lines.join('\n')}\n`;
}

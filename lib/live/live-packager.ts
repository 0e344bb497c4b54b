import { KEY_NAME_PATTERN } from '../../lambda/key-authorizer/contract';
import { objectPolicyOf } from '../media/origin-layout';
import { encryptSegment } from '../media/segment-crypto';
import { KeygateError } from '../keygate-error';
import { FRESH_CHANNEL, parseChannelState, serializeChannelState, type ChannelState } from './live-channel-state';
import type { LiveKey, LiveKeySource } from './live-key-source';
import { LIVE_MASTER_CACHE_CONTROL, LIVE_PLAYLIST_CACHE_CONTROL, liveStateKey, type LiveOrigin } from './live-origin';
import { LiveWindow, renderLiveMaster, renderLivePlaylist, type LiveEntry, type MasterRendition } from './live-playlist';
import { retryUntilDone, type RetryPolicy } from './retry';

/** One clear MPEG-TS segment the encoder has closed: the `index`-th of rendition `rendition` in encoder run `run`. */
export interface EncodedSegment {
  run: number;
  index: number;
  rendition: string;
  data: Uint8Array;
  duration: number;
  /** When the encoder closed it (ms): upload lag is measured from here to the playlist naming it. */
  completedAt: number;
}

export interface LivePackagerOptions {
  channel: string;
  renditions: readonly MasterRendition[];
  /** The CODECS attribute of every variant. */
  codecs: string;
  segmentSeconds: number;
  /** Segments per key period. */
  rotateEvery: number;
  /** Segments each media playlist lists (the sliding window, or the DVR window). */
  windowSegments: number;
  origin: LiveOrigin;
  keys: LiveKeySource;
  clock: { now: () => number; sleep: (ms: number) => Promise<void> };
  retry?: RetryPolicy;
  /** Ends every retry loop (a second Ctrl-C): the packager then fails with what was left undone. */
  signal?: AbortSignal;
  onStoreError?: (what: string, error: unknown) => void;
  /** The packager cannot go on (a bad key, or stopped while retrying): the encoder should stop. */
  onFailure?: (error: unknown) => void;
}

export interface LiveStatus {
  /** Time slots published (one segment in every rendition). */
  segments: number;
  period?: number;
  keyName?: string;
  /** From the encoder closing the last segment to the playlists naming it, in ms. */
  uploadLagMs?: number;
  storeRetries: number;
  /** Slots an encoder run left incomplete (it stopped between renditions' segments). */
  droppedSlots: number;
  /** Slots waiting to be published. */
  queued: number;
  ended: boolean;
}

/** A key from the key source that a playlist cannot name. */
export class LiveKeyError extends KeygateError {}

const KEY_BYTES = 16;
/** The key path the provider's URI must end with: the playlist names the same object, relative to itself. */
function checkKey(key: LiveKey, channel: string, period: number): void {
  const path = new URL(key.uri, 'https://key-source.invalid').pathname;
  const problem =
    key.period !== period
      ? `period ${key.period} for period ${period}`
      : !KEY_NAME_PATTERN.test(key.name)
        ? `name ${JSON.stringify(key.name)} (1–64 of A-Z a-z 0-9 _ -)`
        : key.key.length !== KEY_BYTES || key.iv.length !== KEY_BYTES
          ? 'a key and an IV that are not 16 bytes each'
          : !path.endsWith(`/keys/${channel}/${key.name}.key`)
            ? `URI ${key.uri}, not Keygate's /keys/${channel}/${key.name}.key`
            : undefined;
  if (problem) throw new LiveKeyError(`the key source answered ${problem}: fix the key provider`);
}

/**
 * The heart of `keygate live`: turns the encoder's clear segments into an encrypted live channel.
 * For each time slot (one segment per rendition), in order: at a new key period, the channel state
 * is saved ahead and the key is fetched (the key source stores it first); the segments are encrypted
 * with it and uploaded; only then are the playlists naming them published. So no playlist ever names a
 * key or a segment that is not stored. A failing store is retried with backoff; the encoder goes on.
 */
export class LivePackager {
  private readonly windows = new Map<string, LiveWindow>();
  private readonly pending = new Map<string, Map<string, EncodedSegment>>();
  private work: Promise<void> = Promise.resolve();
  private failure: unknown;
  private state: ChannelState;
  private nextSequence: number;
  private slotsInPeriod = 0;
  private key: LiveKey | undefined;
  private lastRun: number | undefined;
  private masterPublished = false;
  private targetDuration: number;
  readonly status: LiveStatus = { segments: 0, storeRetries: 0, droppedSlots: 0, queued: 0, ended: false };

  private constructor(
    private readonly options: LivePackagerOptions,
    stored: ChannelState | undefined,
  ) {
    // A restart is a discontinuity for a player that follows the channel across it.
    this.state = stored ? { ...stored, discontinuitySequence: stored.discontinuitySequence + 1 } : FRESH_CHANNEL;
    this.nextSequence = this.state.nextSequence;
    this.targetDuration = Math.ceil(options.segmentSeconds);
    for (const r of options.renditions) this.windows.set(r.name, new LiveWindow(options.windowSegments, this.state.discontinuitySequence));
  }

  /** Reads the channel's state (which periods and sequence numbers are used) before anything is published. */
  static async open(options: LivePackagerOptions): Promise<LivePackager> {
    if (!Number.isInteger(options.rotateEvery) || options.rotateEvery < 1)
      throw new KeygateError('must be a whole number of segments ≥ 1', 'rotateEvery');
    if (!Number.isInteger(options.windowSegments) || options.windowSegments < 3)
      throw new KeygateError('must be at least 3 segments (RFC 8216 asks live playlists for three target durations)', 'window');
    const text = await options.origin.readState(options.channel);
    const where = `${options.origin.description}: ${liveStateKey(options.channel)}`;
    return new LivePackager(options, text === undefined ? undefined : parseChannelState(text, where));
  }

  /** Takes a segment the encoder closed; a slot is published once every rendition has its segment. */
  accept(segment: EncodedSegment): void {
    const id = `${segment.run}:${segment.index}`;
    const slot = this.pending.get(id) ?? new Map<string, EncodedSegment>();
    slot.set(segment.rendition, segment);
    this.pending.set(id, slot);
    if (slot.size < this.options.renditions.length) return;
    this.pending.delete(id);
    this.status.queued++;
    this.work = this.work.then(() => (this.failure === undefined ? this.publishSlot(slot) : undefined)).catch((error) => this.fail(error));
  }

  /** The encoder run ended: its incomplete slots will never complete. */
  endRun(run: number): void {
    for (const id of [...this.pending.keys()].filter((key) => key.startsWith(`${run}:`))) {
      this.pending.delete(id);
      this.status.droppedSlots++;
    }
  }

  /** Publishes what is queued, then every playlist with EXT-X-ENDLIST. Rejects with the failure that stopped the channel, if any. */
  async finish(): Promise<void> {
    await this.work;
    this.throwIfFailed();
    this.status.ended = true;
    if (this.status.segments > 0) await this.publishPlaylists();
  }

  /** Resolves when the queue is empty; rejects once the packager has failed (for the runner to stop the encoder). */
  async drained(): Promise<void> {
    await this.work;
    this.throwIfFailed();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.options.onFailure?.(error);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private retry<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return retryUntilDone(what, operation, {
      sleep: this.options.clock.sleep,
      policy: this.options.retry,
      signal: this.options.signal,
      onRetry: (error) => {
        this.status.storeRetries++;
        this.options.onStoreError?.(what, error);
      },
    });
  }

  /** A new key period: the state is saved ahead first, so a crash after this never reuses the period or its sequence numbers. */
  private async startPeriod(sequence: number): Promise<LiveKey> {
    const { channel, rotateEvery, origin, keys } = this.options;
    const period = this.state.nextPeriod;
    this.state = { ...this.state, nextPeriod: period + 1, nextSequence: sequence + rotateEvery };
    const text = serializeChannelState(this.state);
    await this.retry(`saving ${liveStateKey(channel)}`, () => origin.writeState(channel, text));
    const key = await this.retry(`the key of period ${period}`, () => keys.keyFor(channel, period));
    checkKey(key, channel, period);
    return key;
  }

  private async publishSlot(slot: Map<string, EncodedSegment>): Promise<void> {
    const { channel, renditions, rotateEvery, origin } = this.options;
    const run = [...slot.values()][0].run;
    const sequence = this.nextSequence++;
    if (this.key === undefined || this.slotsInPeriod === rotateEvery) {
      this.key = await this.startPeriod(sequence);
      this.slotsInPeriod = 0;
    }
    this.slotsInPeriod++;
    const key = this.key;
    const discontinuity = this.lastRun !== undefined && this.lastRun !== run;
    this.lastRun = run;

    const segmentPolicy = objectPolicyOf('segment.ts');
    await Promise.all(
      renditions.map(async (r) => {
        const segment = slot.get(r.name) as EncodedSegment;
        const body = encryptSegment(segment.data, key.key, key.iv);
        const objectKey = `videos/${channel}/${r.name}/${sequence}.ts`;
        await this.retry(objectKey, () =>
          origin.put({ key: objectKey, body, contentType: segmentPolicy.contentType, cacheControl: segmentPolicy.cacheControl }),
        );
      }),
    );
    for (const r of renditions) {
      const segment = slot.get(r.name) as EncodedSegment;
      this.targetDuration = Math.max(this.targetDuration, Math.round(segment.duration));
      const entry: LiveEntry = {
        sequence,
        duration: segment.duration,
        uri: `${sequence}.ts`,
        // Relative to videos/<channel>/<rendition>/: a path-token URL's prefix carries over to the key.
        key: { period: key.period, uri: `../../../keys/${channel}/${key.name}.key`, iv: key.iv },
        discontinuity,
      };
      this.windows.get(r.name)?.push(entry);
    }
    await this.publishPlaylists();
    const completedAt = Math.max(...[...slot.values()].map((s) => s.completedAt));
    Object.assign(this.status, {
      segments: this.status.segments + 1,
      period: key.period,
      keyName: key.name,
      uploadLagMs: this.options.clock.now() - completedAt,
      queued: this.status.queued - 1,
    });
  }

  /** Every rendition's playlist, then (once) the master that names them: it must not name a playlist not yet there. */
  private async publishPlaylists(): Promise<void> {
    const { channel, renditions, codecs, origin } = this.options;
    const playlistPolicy = objectPolicyOf('index.m3u8');
    for (const r of renditions) {
      const window = this.windows.get(r.name) as LiveWindow;
      const text = renderLivePlaylist(window.current, {
        targetDuration: this.targetDuration,
        discontinuitySequence: window.discontinuitySequence,
        ended: this.status.ended,
      });
      const objectKey = `videos/${channel}/${r.name}/index.m3u8`;
      await this.retry(objectKey, () =>
        origin.put({
          key: objectKey,
          body: Buffer.from(text),
          contentType: playlistPolicy.contentType,
          cacheControl: LIVE_PLAYLIST_CACHE_CONTROL,
        }),
      );
    }
    if (this.masterPublished) return;
    const objectKey = `videos/${channel}/master.m3u8`;
    const text = renderLiveMaster(renditions, codecs);
    await this.retry(objectKey, () =>
      origin.put({
        key: objectKey,
        body: Buffer.from(text),
        contentType: playlistPolicy.contentType,
        cacheControl: LIVE_MASTER_CACHE_CONTROL,
      }),
    );
    this.masterPublished = true;
  }
}

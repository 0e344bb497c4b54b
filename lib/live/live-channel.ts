import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { AUDIO_CODEC, AUDIO_KBPS, planLadder, VIDEO_CODEC } from '../media/ladder';
import { KeygateError } from '../keygate-error';
import { liveEncoderArgs, startEncoderRun, type EncoderRun } from './live-encoder';
import { probeLiveInput, type LiveInput } from './live-input';
import type { LiveKeySource } from './live-key-source';
import type { LiveOrigin } from './live-origin';
import { LivePackager, type LiveStatus } from './live-packager';
import { backoffDelay, type RetryPolicy } from './retry';

export interface LiveChannelOptions {
  channel: string;
  input: LiveInput;
  ladder: string[];
  segmentSeconds: number;
  rotateEvery: number;
  windowSegments: number;
  origin: LiveOrigin;
  keys: LiveKeySource;
  /** Where ffmpeg writes clear segments before they are encrypted (a temporary folder by default; removed at the end). */
  workDir?: string;
  /** Backoff of encoder restarts after an input drop. */
  reconnect?: RetryPolicy;
  storeRetry?: RetryPolicy;
  /** One line per event worth a log line (input drop, store retry). */
  log?: (line: string) => void;
}

export interface LiveChannelStatus extends LiveStatus {
  channel: string;
  startedAt: number;
  /** Encoder restarts after an input drop. */
  encoderRestarts: number;
  /** The ffmpeg process of the current run, for CPU accounting. */
  encoderPid?: number;
  renditions: string[];
}

/** Reconnecting to a source that dropped: from 1 s up to 30 s between attempts. */
export const DEFAULT_RECONNECT: RetryPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000 };

/** A live channel's id is a video id (grants, path tokens and key paths name it), and never "keys". */
export function assertLiveChannelId(channel: string): void {
  if (!VIDEO_ID_PATTERN.test(channel) || channel === 'keys')
    throw new KeygateError(`channel id ${JSON.stringify(channel)} must be a video id: 1–128 of A-Z a-z 0-9 _ - (not "keys")`, 'channel');
}

/**
 * `keygate live`: ffmpeg encodes the ladder from the input in real time, the packager encrypts and
 * publishes. When the input drops (ffmpeg ends), ffmpeg is started again with backoff and the
 * channel goes on after a discontinuity; a file without --loop ends the event. `stop()` (Ctrl-C)
 * closes the segment under way, publishes it, and ends every playlist with EXT-X-ENDLIST.
 */
export class LiveChannel {
  private readonly stopping = new AbortController();
  private encoder: EncoderRun | undefined;
  private readonly statusExtra: Omit<LiveChannelStatus, keyof LiveStatus>;
  /** Resolves when the event is over (stopped, or the file ended) and everything is published; rejects if the channel failed. */
  readonly ended: Promise<void>;

  private constructor(
    private readonly options: LiveChannelOptions,
    private readonly packager: LivePackager,
    private readonly renditions: ReturnType<typeof planLadder>,
    private readonly hasAudio: boolean,
    private readonly workDir: string,
    private readonly givingUp: AbortController,
  ) {
    this.statusExtra = { channel: options.channel, startedAt: Date.now(), encoderRestarts: 0, renditions: renditions.map((r) => r.name) };
    this.ended = this.supervise().finally(() => rmSync(workDir, { recursive: true, force: true }));
    // Observed by whoever awaits it; never an unhandled rejection in between.
    this.ended.catch(() => {});
  }

  /** Checks everything before publishing anything: the channel id, the input (opened once), the ladder, the stored state. */
  static async start(options: LiveChannelOptions): Promise<LiveChannel> {
    assertLiveChannelId(options.channel);
    if (!Number.isInteger(options.segmentSeconds) || options.segmentSeconds < 1)
      throw new KeygateError('must be a whole number of seconds ≥ 1', 'segmentSeconds');
    const source = await probeLiveInput(options.input);
    const renditions = planLadder(options.ladder, source.width, source.height);
    const givingUp = new AbortController();
    const holder: { channel?: LiveChannel } = {};
    const packager = await LivePackager.open({
      channel: options.channel,
      renditions: renditions.map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: Math.round((r.videoKbps * 1.1 + (source.hasAudio ? AUDIO_KBPS : 0)) * 1000),
      })),
      codecs: source.hasAudio ? `${VIDEO_CODEC},${AUDIO_CODEC}` : VIDEO_CODEC,
      segmentSeconds: options.segmentSeconds,
      rotateEvery: options.rotateEvery,
      windowSegments: options.windowSegments,
      origin: options.origin,
      keys: options.keys,
      clock: { now: () => Date.now(), sleep: (ms) => delay(ms) },
      retry: options.storeRetry,
      signal: givingUp.signal,
      onFailure: () => holder.channel?.encoder?.stop(),
      onStoreError: (what, error) =>
        options.log?.(`store error on ${what}: ${error instanceof Error ? error.message : String(error)}; retrying`),
    });
    const workDir = options.workDir ?? join(tmpdir(), `keygate-live-${options.channel}-${randomBytes(4).toString('hex')}`);
    mkdirSync(workDir, { recursive: true });
    holder.channel = new LiveChannel(options, packager, renditions, source.hasAudio, workDir, givingUp);
    return holder.channel;
  }

  status(): LiveChannelStatus {
    return { ...this.packager.status, ...this.statusExtra, encoderPid: this.encoder?.pid };
  }

  /** Ends the event: the encoder closes its segment, everything queued is published, then EXT-X-ENDLIST. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.encoder?.stop();
    await this.ended;
  }

  /** Stops retrying a store that still fails (a second Ctrl-C): `ended` then rejects with what was left unpublished. */
  giveUp(): void {
    this.givingUp.abort();
  }

  private async supervise(): Promise<void> {
    const { input, segmentSeconds, log } = this.options;
    const names = this.renditions.map((r) => r.name);
    let failures = 0;
    for (let run = 0; !this.stopping.signal.aborted && !this.packager.failed; run++) {
      const runDir = join(this.workDir, String(run));
      const args = liveEncoderArgs(input, this.renditions, this.hasAudio, segmentSeconds, runDir);
      this.encoder = startEncoderRun(args, names, runDir, (segment) => this.packager.accept({ run, ...segment, completedAt: Date.now() }));
      const result = await this.encoder.exited;
      this.packager.endRun(run);
      rmSync(runDir, { recursive: true, force: true });
      if (this.stopping.signal.aborted || this.packager.failed) break;
      if (input.kind === 'file' && !input.loop && result.code === 0) break;
      failures = result.segments > 0 ? 1 : failures + 1;
      const wait = backoffDelay(this.options.reconnect ?? DEFAULT_RECONNECT, failures);
      this.statusExtra.encoderRestarts++;
      log?.(
        `input dropped (${result.lastError || `ffmpeg exit ${result.code ?? result.signal}`}); restarting the encoder in ${wait / 1000} s`,
      );
      await delay(wait, undefined, { signal: this.stopping.signal }).catch(() => {});
    }
    this.encoder = undefined;
    await this.packager.finish();
  }
}

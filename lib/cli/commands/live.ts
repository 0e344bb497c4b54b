import type { Command } from 'commander';
import { parseDuration } from '../../duration';
import { KeygateError } from '../../keygate-error';
import { DEFAULT_LADDER } from '../../media/ladder';
import { wholeNumberOption } from '../option-parsers';
import { printResult, withJsonOption } from '../output';
import type { LiveKeyStore } from '../../live/live-key-store';
import type { LiveOrigin } from '../../live/live-origin';

interface LiveCommandOptions {
  json?: boolean;
  input: string;
  out?: string;
  bucket?: string;
  keyBucket?: string;
  region?: string;
  profile?: string;
  endpoint?: string;
  ladder: string;
  segmentSeconds: number;
  rotateEvery: number;
  window: number;
  dvr?: string;
  loop?: boolean;
  testSize: string;
}

/** The flags, checked before anything starts: a bad one is one line and nothing is published. */
function parseFlags(options: LiveCommandOptions) {
  const { segmentSeconds, rotateEvery } = options;
  let windowSegments = options.window;
  if (options.dvr !== undefined) {
    const dvrSeconds = parseDuration(options.dvr);
    if (dvrSeconds === undefined || dvrSeconds < 1) throw new KeygateError(`--dvr must be a duration like 30m or 2h (got ${options.dvr})`);
    windowSegments = Math.max(windowSegments, Math.ceil(dvrSeconds / segmentSeconds));
  }
  const size = /^(\d{2,4})x(\d{2,4})$/.exec(options.testSize);
  if (!size || Number(size[1]) % 2 !== 0 || Number(size[2]) % 2 !== 0)
    throw new KeygateError(`--test-size must be WIDTHxHEIGHT in even pixels, e.g. 640x360 (got ${options.testSize})`);
  if ((options.out === undefined) === (options.bucket === undefined))
    throw new KeygateError('give either --out <origin folder> or --bucket <MediaBucketName> with --key-bucket <KeyBucketName>');
  if (options.bucket !== undefined && options.keyBucket === undefined)
    throw new KeygateError('--bucket needs --key-bucket (stack output KeyBucketName): live keys go to the key bucket');
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (options.bucket !== undefined && !region) throw new KeygateError('no region: pass --region or set AWS_REGION (the stack region)');
  const ladder = options.ladder.split(',').map((r) => r.trim());
  return { segmentSeconds, rotateEvery, windowSegments, testSize: { width: Number(size[1]), height: Number(size[2]) }, region, ladder };
}

/** keygate live: a live channel from a file, a stream or ffmpeg's test pattern, until Ctrl-C. */
export function register(program: Command): void {
  withJsonOption(program.command('live <channel>'))
    .description('run a live channel: ffmpeg encodes the ladder in real time, segments are encrypted with rotating keys and published')
    .requiredOption(
      '--input <source>',
      'a video file (played in real time), a stream URL ffmpeg can read (srt://, rtmp://, http://…), or "test"',
    )
    .option('--out <dir>', 'a local origin folder (what keygate dev serves)')
    .option('--bucket <name>', 'the media bucket (stack output MediaBucketName)')
    .option('--key-bucket <name>', 'the key bucket (stack output KeyBucketName)')
    .option('--region <region>', 'bucket region (default: $AWS_REGION)')
    .option('--profile <name>', 'AWS profile to use')
    .option('--endpoint <url>', 'an S3-compatible endpoint, e.g. http://127.0.0.1:4568 (path-style)')
    .option('--ladder <rungs>', 'comma-separated renditions (never above the source height)', DEFAULT_LADDER.join(','))
    .addOption(wholeNumberOption('--segment-seconds <s>', 'segment length', { min: 1 }, 2))
    .addOption(wholeNumberOption('--rotate-every <segments>', 'segments per key (default: a key a minute)', { min: 1 }, 30))
    .addOption(wholeNumberOption('--window <segments>', 'segments each playlist lists (the sliding window)', { min: 3 }, 6))
    .option('--dvr <duration>', 'keep this much behind live in the playlists, e.g. 30m (a longer window)')
    .option('--loop', 'play a file input in a loop (otherwise the event ends with the file)')
    .option('--test-size <WxH>', 'the test pattern size (--input test)', '640x360')
    .action(async (channel: string, options: LiveCommandOptions) => {
      await runLive(channel, options, parseFlags(options));
    });
}

/**
 * The origin the flags name, and the key bucket the key provider stores keys in: a local folder, or
 * the two buckets (checked as keygate publish checks them).
 */
async function openOrigin(
  options: LiveCommandOptions,
  region: string | undefined,
): Promise<{ origin: LiveOrigin; keyStore: LiveKeyStore; close: () => void }> {
  if (options.out !== undefined) {
    const { FolderLiveOrigin } = require('../../live/folder-live-origin') as typeof import('../../live/folder-live-origin');
    const { FolderLiveKeyStore } = require('../../live/folder-live-key-store') as typeof import('../../live/folder-live-key-store');
    return { origin: new FolderLiveOrigin(options.out), keyStore: new FolderLiveKeyStore(options.out), close: () => {} };
  }
  // Required only here: the S3 SDK is large and no other path needs it.
  const { s3ClientFor } = require('../../media/publish') as typeof import('../../media/publish');
  const { S3LiveOrigin } = require('../../live/s3-live-origin') as typeof import('../../live/s3-live-origin');
  const { S3LiveKeyStore } = require('../../live/s3-live-key-store') as typeof import('../../live/s3-live-key-store');
  const client = s3ClientFor({ region: region as string, profile: options.profile, endpoint: options.endpoint });
  try {
    return {
      origin: await S3LiveOrigin.open(client, { media: options.bucket as string, keys: options.keyBucket as string }),
      keyStore: new S3LiveKeyStore(client, options.keyBucket as string),
      close: () => client.destroy(),
    };
  } catch (error) {
    client.destroy();
    throw error;
  }
}

/** Runs the channel until Ctrl-C (or the end of a file): a status line on stderr, EXT-X-ENDLIST at the end. */
async function runLive(channel: string, options: LiveCommandOptions, flags: ReturnType<typeof parseFlags>): Promise<void> {
  const { LiveChannel, assertLiveChannelId } = require('../../live/live-channel') as typeof import('../../live/live-channel');
  const { startLocalKeyProvider } = require('../../live/local-key-provider') as typeof import('../../live/local-key-provider');
  const { parseLiveInput } = require('../../live/live-input') as typeof import('../../live/live-input');
  const { formatLiveStatus } = require('../../live/live-status') as typeof import('../../live/live-status');
  assertLiveChannelId(channel);
  const input = parseLiveInput(options.input, { loop: options.loop === true, testSize: flags.testSize });
  const { origin, keyStore, close } = await openOrigin(options, flags.region);
  const tty = process.stderr.isTTY === true;
  const say = (line: string) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);
  // The deployed key provider, on loopback: the packager asks it for every key over SPEKE, as MediaPackage does.
  const provider = await startLocalKeyProvider({ store: keyStore, channels: [channel] }).catch((error: unknown) => {
    close();
    throw error;
  });
  try {
    const live = await LiveChannel.start({
      channel,
      input,
      ladder: flags.ladder,
      segmentSeconds: flags.segmentSeconds,
      rotateEvery: flags.rotateEvery,
      windowSegments: flags.windowSegments,
      origin,
      keys: provider.keys,
      log: say,
    });
    const master = `videos/${channel}/master.m3u8`;
    printResult(
      options,
      { event: 'started', channel, origin: origin.description, master },
      `live ${channel} → ${origin.description}: ${master} (Ctrl-C ends the event)`,
    );
    // Ctrl-C once: end the event cleanly; twice: stop retrying a store that still fails.
    const interrupt = () => {
      process.once('SIGINT', () => live.giveUp());
      void live.stop();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    // On a terminal the line is redrawn every second; in a log, one line every ten seconds.
    const timer = setInterval(
      () =>
        tty
          ? process.stderr.write(`\r\x1b[2K${formatLiveStatus(live.status(), Date.now())}`)
          : say(formatLiveStatus(live.status(), Date.now())),
      tty ? 1000 : 10_000,
    );
    try {
      await live.ended;
    } finally {
      clearInterval(timer);
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
    }
    say(formatLiveStatus(live.status(), Date.now()));
    const { segments } = live.status();
    printResult(
      options,
      { event: 'ended', channel, segments },
      `ended ${channel}: ${segments} segments; every playlist ends with #EXT-X-ENDLIST`,
    );
  } finally {
    await provider.close();
    close();
  }
}

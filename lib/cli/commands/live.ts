import type { Command } from 'commander';
import { parseDuration } from '../../duration';
import { KeygateError } from '../../keygate-error';
import { DEFAULT_LADDER } from '../../media/ladder';
import type { LiveKeySource } from '../../live/live-key-source';
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
  keyProvider?: string;
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
  const keyProvider = options.keyProvider === undefined ? undefined : parseKeyProviderFlag(options.keyProvider, region);
  return {
    segmentSeconds,
    rotateEvery,
    windowSegments,
    testSize: { width: Number(size[1]), height: Number(size[2]) },
    region,
    ladder,
    keyProvider,
  };
}

/**
 * --key-provider: the deployed SPEKE endpoint (stack output LiveKeyProviderUrl), https; plain http
 * only on loopback. Its region signs the requests: a function URL names it, else --region.
 */
function parseKeyProviderFlag(value: string, region: string | undefined): { url: string; region: string } {
  const { regionOfFunctionUrl } = require('../../live/sigv4-request-signer') as typeof import('../../live/sigv4-request-signer');
  const { isLoopbackUrl } = require('../../live/live-key-material') as typeof import('../../live/live-key-material');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KeygateError(`--key-provider must be a URL, like https://abc.lambda-url.eu-west-1.on.aws/ (got ${value})`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url)))
    throw new KeygateError(`--key-provider must use https (plain http only on loopback): ${value}`);
  const signingRegion = regionOfFunctionUrl(url.href) ?? region;
  if (!signingRegion)
    throw new KeygateError('--key-provider: no region to sign for: pass --region or set AWS_REGION (the provider region)');
  return { url: url.href, region: signingRegion };
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
    .option(
      '--key-provider <url>',
      'the deployed key provider (stack output LiveKeyProviderUrl): keys come from it, SigV4-signed with your AWS credentials, instead of a local provider',
    )
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

/** The packager's key source: the deployed provider, signed with the admin's credentials, or a local provider on loopback. */
async function openKeyProvider(
  channel: string,
  keyStore: LiveKeyStore,
  profile: string | undefined,
  deployed: { url: string; region: string } | undefined,
): Promise<{ keys: LiveKeySource; close: () => Promise<void> }> {
  if (deployed === undefined) {
    const { startLocalKeyProvider } = require('../../live/local-key-provider') as typeof import('../../live/local-key-provider');
    return startLocalKeyProvider({ store: keyStore, channels: [channel] });
  }
  const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const { sigv4RequestSigner } = require('../../live/sigv4-request-signer') as typeof import('../../live/sigv4-request-signer');
  const { SpekeKeySource } = require('../../live/speke-key-source') as typeof import('../../live/speke-key-source');
  // The SDK's default credential chain (environment, --profile, SSO, instance role), as every other command
  // resolves it: borrowed from a client that never sends a request.
  const client = new S3Client({ region: deployed.region, ...(profile === undefined ? {} : { profile }) });
  const credentials = () => client.config.credentials();
  const signRequest = sigv4RequestSigner({ credentials, region: deployed.region, service: 'lambda' });
  return { keys: new SpekeKeySource({ endpoint: deployed.url, signRequest }), close: async () => client.destroy() };
}

/** Runs the channel until Ctrl-C (or the end of a file): a status line on stderr, EXT-X-ENDLIST at the end. */
async function runLive(channel: string, options: LiveCommandOptions, flags: ReturnType<typeof parseFlags>): Promise<void> {
  const { LiveChannel, assertLiveChannelId } = require('../../live/live-channel') as typeof import('../../live/live-channel');
  const { parseLiveInput } = require('../../live/live-input') as typeof import('../../live/live-input');
  const { formatLiveStatus } = require('../../live/live-status') as typeof import('../../live/live-status');
  assertLiveChannelId(channel);
  const input = parseLiveInput(options.input, { loop: options.loop === true, testSize: flags.testSize });
  const { origin, keyStore, close } = await openOrigin(options, flags.region);
  const tty = process.stderr.isTTY === true;
  const say = (line: string) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);
  // The packager asks a key provider for every key over SPEKE, as MediaPackage does: the deployed one
  // (shared with MediaPackage, so both name the same keys), or the same provider on loopback.
  const provider = await openKeyProvider(channel, keyStore, options.profile, flags.keyProvider).catch((error: unknown) => {
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

import type { Command } from 'commander';
import { MAX_STALE_IF_ERROR_SECONDS } from '../../../lambda/key-authorizer/contract';
import { isAbsolute, relative } from 'node:path';
import { muteDecisionLines } from '../../dev/decision-lines';
import { exposureWarning, isLoopbackHost } from '../../dev/dev-binding';
import type { DevStack } from '../../dev/dev-stack';
import { KeygateError } from '../../keygate-error';
import { portOption, wholeNumberOption } from '../option-parsers';
import { progressBar } from '../progress';

type DevReady = Omit<DevStack, 'stats' | 'close'>;

/** One bar per packaging phase (transcoding, encrypting); a new phase ends the previous bar. */
function phaseBars() {
  let current: { label: string; bar: ReturnType<typeof progressBar> } | undefined;
  return {
    update(done: number, total: number, label: string) {
      if (current?.label !== label) {
        current?.bar.stop();
        current = { label, bar: progressBar(Math.max(1, Math.round(total)), label) };
      }
      current.bar.update(Math.round(done));
    },
    stop: () => current?.bar.stop(),
  };
}

/** keygate dev (npm start): the whole system locally, until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('dev')
    .description('run Keygate locally: DynamoDB (dynalite), the edge authorizer in a CloudFront emulator, and a demo player')
    .addOption(portOption('--port <port>', 'port to listen on (0: any free port)', 8080))
    .option('--host <host>', 'address to listen on (a non-loopback address also needs --expose)', '127.0.0.1')
    .option('--expose', 'allow a non-loopback --host: anyone who can reach it can then mint tokens for any viewer')
    .addOption(
      portOption('--dynamodb-port <port>', 'the local DynamoDB port on 127.0.0.1 (default: --port + 1, so printed commands keep working)'),
    )
    .option('--data-dir <dir>', 'where the table, keys and videos are kept between runs', '.keygate')
    .option('--json', 'print one JSON line when ready, for scripts and tests')
    .option('--verbose', "print the authorizer's JSON decision line for every key request, as CloudWatch would get it")
    .option('--short-demo', 'package a 24 s, 180p demo (seconds) instead of the 2-minute 720p one (about half a minute): for tests')
    .option(
      '--oidc',
      'also run a local OpenID provider (https, self-signed) that the authorizer trusts: "Sign in with the provider" on the demo page',
    )
    .option(
      '--allow-origin <origin>',
      'a player page on another origin that may fetch keys and media (CORS), e.g. http://127.0.0.1:5173; repeatable',
      (origin: string, origins: string[]) => [...origins, origin],
      [],
    )
    .addOption(
      wholeNumberOption(
        '--stale-if-error <seconds>',
        `the degraded mode's grace (staleIfErrorSeconds, 0–${MAX_STALE_IF_ERROR_SECONDS}): keys for viewers allowed moments ago while the table is down`,
        { min: 0, max: MAX_STALE_IF_ERROR_SECONDS, noun: 'a whole number of seconds' },
        0,
      ),
    )
    .option('--live', 'also run a live test channel "live" (ffmpeg test pattern with a clock, rotating keys), granted to alice')
    .option(
      '--store-faults',
      'put a fault proxy before the table: POST blackhole, reset, throttling, slow or pass to /__keygate/store-fault',
    )
    .action(async (options: DevCommandOptions) => {
      for (const origin of options.allowOrigin) {
        if (!isOrigin(origin))
          throw new KeygateError(`--allow-origin must be an origin: scheme, host and optional port, no path (got ${origin})`);
      }
      // Ctrl-C or SIGTERM at any time, even during the first start's packaging, ends in a clean close.
      const stopping = new AbortController();
      const stop = () => stopping.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runUntilStopped(options, stopping.signal);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });
}

/** A fixed DynamoDB port beside a fixed site port, so the printed commands work after a restart; any free one beside port 0. */
function dynamodbPortFor(options: DevCommandOptions): number {
  if (options.dynamodbPort !== undefined) return options.dynamodbPort;
  const { port } = options;
  return port === 0 ? 0 : port < 65535 ? port + 1 : port - 1;
}

interface DevCommandOptions {
  port: number;
  host: string;
  expose?: boolean;
  dynamodbPort?: number;
  verbose?: boolean;
  shortDemo?: boolean;
  dataDir: string;
  json?: boolean;
  oidc?: boolean;
  allowOrigin: string[];
  staleIfError: number;
  storeFaults?: boolean;
  live?: boolean;
}

/** `http://127.0.0.1:5173`, not `http://127.0.0.1:5173/` or a URL with a path: browsers send the bare origin. */
function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** What the ready line says: where it runs, the values other commands need, and commands to paste. */
function readyText(ready: DevReady, options: DevCommandOptions): string {
  const table = `--table ${ready.table} --region ${ready.region} --endpoint ${ready.dynamodbEndpoint}`;
  const signingKey = shortPath(ready.signingKey);
  return (
    `Keygate is running at ${ready.url}\n` +
    `  open it, sign in as alice (owns "demo"), bob (owns nothing) or ${ready.limitedViewer} (every video, one screen at a time) and press "demo".\n` +
    `  DynamoDB ${ready.dynamodbEndpoint} (table ${ready.table}, ${ready.region}); tokens: issuer ${ready.issuer}, audience ${ready.audience}\n` +
    `  try: npx keygate revoke alice demo ${table}\n` +
    `       npx keygate token alice --key ${signingKey} --issuer ${ready.issuer} --audience ${ready.audience} --ttl 10m\n` +
    `  your own video: npx keygate package movie.mp4 --video movie --out ${shortPath(ready.originDir)}, then npx keygate grant alice movie --media-url ${ready.url} ${table}\n` +
    (ready.live
      ? `  live channel "${ready.live.channel}": press it on the demo page (a new key every ${ready.live.segmentSeconds * ready.live.rotateEvery} s)\n` +
        `  key provider (SPEKE v2.0, what MediaPackage would call): ${ready.live.keyProvider.url}\n`
      : '') +
    (options.storeFaults
      ? `  rehearse an outage: curl --data blackhole ${ready.url}__keygate/store-fault (also reset, throttling, slow; pass ends it)\n`
      : '') +
    `  Ctrl-C stops it; ${options.dataDir} keeps the table, keys and videos for next time.\n`
  );
}

/** A path as short as it can be pasted from here: relative inside the working directory. */
function shortPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

/** Starts the stack, announces it, and closes it once stopped; a stop during the start is not an error. */
async function runUntilStopped(options: DevCommandOptions, stopping: AbortSignal): Promise<void> {
  const say = (line: string) => !options.json && process.stderr.write(`${line}\n`);
  const bars = phaseBars();
  // Loaded only when dev runs: it brings dynalite, esbuild and the SDK, which no other command needs.
  const { startDevStack } = require('../../dev/dev-stack') as typeof import('../../dev/dev-stack');
  // The authorizer runs in this process and logs each key decision to stdout, as it would to CloudWatch.
  const unmute = options.verbose ? () => {} : muteDecisionLines(process.stdout);
  try {
    let stack: DevStack;
    try {
      stack = await startDevStack({
        port: options.port,
        host: options.host,
        expose: options.expose === true,
        dynamodbPort: dynamodbPortFor(options),
        demo: options.shortDemo ? 'short' : 'feature',
        dataDir: options.dataDir,
        allowedOrigins: options.allowOrigin,
        oidc: options.oidc === true,
        staleIfErrorSeconds: options.staleIfError,
        storeFaults: options.storeFaults === true,
        live: options.live === true,
        log: say,
        onProgress: bars.update,
        signal: stopping,
      });
    } catch (error) {
      if (stopping.aborted) return;
      throw error;
    } finally {
      bars.stop();
    }
    const { stats: _stats, close, ...ready } = stack;
    // Loud on purpose, and on stderr even with --json: whoever reads the terminal must see it.
    if (options.expose && !isLoopbackHost(options.host)) process.stderr.write(`${exposureWarning(ready.url)}\n`);
    process.stdout.write(options.json ? `${JSON.stringify(ready)}\n` : readyText(ready, options));
    if (!stopping.aborted) await new Promise((resolveStop) => stopping.addEventListener('abort', resolveStop));
    await close();
  } finally {
    unmute();
  }
}

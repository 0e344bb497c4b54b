import type { Command } from 'commander';
import { MAX_STALE_IF_ERROR_SECONDS } from '../../../lambda/key-authorizer/authorizer-config';
import type { DevStack } from '../../dev/dev-stack';
import { KeygateError } from '../../keygate-error';
import { progressBar } from '../progress';

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
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the table, keys and videos are kept between runs', '.keygate')
    .option('--json', 'print one JSON line when ready, for scripts and tests')
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
    .option(
      '--stale-if-error <seconds>',
      `the degraded mode's grace (staleIfErrorSeconds, 0–${MAX_STALE_IF_ERROR_SECONDS}): keys for viewers allowed moments ago while the table is down`,
      '0',
    )
    .option('--live', 'also run a live test channel "live" (ffmpeg test pattern with a clock, rotating keys), granted to alice')
    .option(
      '--store-faults',
      'put a fault proxy before the table: POST blackhole, reset, throttling, slow or pass to /__keygate/store-fault',
    )
    .action(async (options: DevCommandOptions) => {
      if (!/^\d+$/.test(options.port) || Number(options.port) > 65535)
        throw new KeygateError(`--port must be a port number from 0 to 65535 (got ${options.port})`);
      const grace = Number(options.staleIfError);
      if (!/^\d+$/.test(options.staleIfError) || grace > MAX_STALE_IF_ERROR_SECONDS)
        throw new KeygateError(
          `--stale-if-error must be a whole number of seconds from 0 to ${MAX_STALE_IF_ERROR_SECONDS} (got ${options.staleIfError})`,
        );
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

interface DevCommandOptions {
  port: string;
  host: string;
  dataDir: string;
  json?: boolean;
  oidc?: boolean;
  allowOrigin: string[];
  staleIfError: string;
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

/** Starts the stack, announces it, and closes it once stopped; a stop during the start is not an error. */
async function runUntilStopped(options: DevCommandOptions, stopping: AbortSignal): Promise<void> {
  const say = (line: string) => !options.json && process.stderr.write(`${line}\n`);
  const bars = phaseBars();
  // Loaded only when dev runs: it brings dynalite, esbuild and the SDK, which no other command needs.
  const { startDevStack } = require('../../dev/dev-stack') as typeof import('../../dev/dev-stack');
  let stack: DevStack;
  try {
    stack = await startDevStack({
      port: Number(options.port),
      host: options.host,
      dataDir: options.dataDir,
      allowedOrigins: options.allowOrigin,
      oidc: options.oidc === true,
      staleIfErrorSeconds: Number(options.staleIfError),
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
  if (options.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
  else {
    process.stdout.write(
      `Keygate is running at ${ready.url}\n` +
        `  open it, sign in as alice (owns "demo") or bob (owns nothing) and press "demo".\n` +
        `  try: npx keygate revoke alice demo --table ${ready.table} --region ${ready.region} --endpoint ${ready.dynamodbEndpoint}\n` +
        `  Ctrl-C stops it; ${options.dataDir} keeps the table, keys and videos for next time.\n`,
    );
    if (ready.live) {
      process.stdout.write(
        `  live channel "${ready.live.channel}": press it on the demo page (a new key every ${ready.live.segmentSeconds * ready.live.rotateEvery} s)\n`,
      );
    }
    if (options.storeFaults) {
      process.stdout.write(
        `  rehearse an outage: curl --data blackhole ${ready.url}__keygate/store-fault (also reset, throttling, slow; pass ends it)\n`,
      );
    }
  }
  if (!stopping.aborted) await new Promise((resolveStop) => stopping.addEventListener('abort', resolveStop));
  await close();
}

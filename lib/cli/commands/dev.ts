import type { Command } from 'commander';
import { FfmpegFailedError, FfmpegMissingError } from '../../media/ffmpeg';
import { DevStackError, startDevStack } from '../../dev/dev-stack';
import { CliError } from '../cli-error';

/** keygate dev (npm start): the whole system locally, until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('dev')
    .description('run Keygate locally: DynamoDB (dynalite), the edge authorizer in a CloudFront emulator, and a demo player')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the table, keys and videos are kept between runs', '.keygate')
    .option('--json', 'print one JSON line when ready, for scripts and tests')
    .action(async (options: { port: string; host: string; dataDir: string; json?: boolean }) => {
      if (!/^\d+$/.test(options.port) || Number(options.port) > 65535)
        throw new CliError(`--port must be a port number (got ${options.port})`);
      const say = (line: string) => !options.json && process.stderr.write(`${line}\n`);
      let stack;
      try {
        stack = await startDevStack({ port: Number(options.port), host: options.host, dataDir: options.dataDir, log: say });
      } catch (error) {
        if ([DevStackError, FfmpegMissingError, FfmpegFailedError].some((type) => error instanceof type))
          throw new CliError((error as Error).message);
        throw error;
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
      }
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', resolveStop);
        process.once('SIGTERM', resolveStop);
      });
      await close();
    });
}

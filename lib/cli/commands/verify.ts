import type { Command } from 'commander';
import { VIDEO_ID_PATTERN } from '../../../lambda/key-authorizer/contract';
import { runCanary, type CanaryGrants, type CanaryTokens } from '../../admin/canary';
import { canaryJson, canaryPassed, formatCanaryTable } from '../../admin/canary-report';
import { canaryViewerId, signingKeyTokens, tableGrants } from '../../admin/canary-viewers';
import { EntitlementClient } from '../../admin/entitlement-client';
import { readSigningKeyFile } from '../../admin/key-files';
import { rawHttpGet } from '../../admin/raw-http';
import { parseDuration } from '../../duration';
import { KeygateError } from '../../keygate-error';
import { tableTarget, withTableOptions, type TableOptions } from '../table-options';
import { EXIT_CODES } from '../exit-codes';
import { withJsonOption } from '../output';

interface VerifyOptions extends TableOptions {
  video: string;
  key?: string;
  issuer?: string;
  audience?: string;
  ttlWait: string;
  json?: boolean;
}

const nowSeconds = () => Date.now() / 1000;

function distributionOrigin(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeygateError(`${JSON.stringify(text)} is not a URL: pass the distribution's URL, e.g. https://d111111abcdef8.cloudfront.net`);
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '')
    throw new KeygateError(`${text} must be the distribution's origin (http(s)://host[:port], no path), e.g. https://video.example.com`);
  return url;
}

function tokensFrom(options: VerifyOptions): CanaryTokens | undefined {
  const given = [options.key, options.issuer, options.audience].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3)
    throw new KeygateError(
      '--key, --issuer and --audience go together: pass all three (the deployment’s signing key, jwtIssuer, jwtAudience)',
    );
  return signingKeyTokens(readSigningKeyFile(options.key!), options.issuer!, options.audience!, nowSeconds);
}

/** Table access only when asked for, by a flag or KEYGATE_TABLE: without it the grant checks are skipped. */
const wantsTable = (options: VerifyOptions) =>
  options.table !== undefined || options.region !== undefined || options.endpoint !== undefined || Boolean(process.env.KEYGATE_TABLE);

/** keygate verify: the canary to run after `cdk deploy` (or against keygate dev). */
export function register(program: Command): void {
  withTableOptions(
    withJsonOption(program.command('verify <distribution-url>'))
      .description('after cdk deploy: check key gating, encoded key paths, public cached media and revocation end to end')
      .option('--video <id>', 'a published video to test with', 'demo')
      .option('--key <pem>', 'the signing key, to mint test tokens limited to the video, living --ttl-wait plus 60 s')
      .option('--issuer <iss>', 'the jwtIssuer the authorizer expects')
      .option('--audience <aud>', 'one of the jwtAudience values')
      .option('--ttl-wait <seconds>', 'how long a revocation may take: the authorizer’s allowTtlSeconds plus a margin', '35'),
  )
    .addHelpText(
      'after',
      '\nverify asks only the distribution given, and only for --video: a playlist URI that leaves either, or a redirect, is a FAIL.\n' +
        'With --table (and --region), a test viewer keygate-verify-<random> is granted the video for the run, and at its end\n' +
        'the grant is removed and the test viewers signed out, even when a check fails.\n' +
        'Exit code: 0 when no check failed, 2 when one did, 1 when it could not run.',
    )
    .action(async (url: string, options: VerifyOptions) => {
      const distribution = distributionOrigin(url);
      if (!VIDEO_ID_PATTERN.test(options.video)) throw new KeygateError('--video must be a video id (A-Z a-z 0-9 _ -)');
      const ttlWaitSeconds = parseDuration(options.ttlWait);
      if (ttlWaitSeconds === undefined || ttlWaitSeconds < 1 || ttlWaitSeconds > 900)
        throw new KeygateError(`--ttl-wait must be a number of seconds from 1 to 900 (got ${options.ttlWait})`);
      const tokens = tokensFrom(options);
      const client = wantsTable(options) ? new EntitlementClient(tableTarget(options)) : undefined;
      const grants: CanaryGrants | undefined = client && tableGrants(client, nowSeconds);
      try {
        const report = await runCanary({
          distribution,
          videoId: options.video,
          http: rawHttpGet(),
          tokens,
          grants,
          viewerId: canaryViewerId(),
          ttlWaitSeconds,
          clock: { nowSeconds, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
          progress: (line) => process.stderr.write(`verify: ${line}\n`),
        });
        process.stdout.write(options.json ? `${JSON.stringify(canaryJson(report))}\n` : formatCanaryTable(report));
        if (!canaryPassed(report)) process.exitCode = EXIT_CODES.problemsFound;
      } finally {
        client?.destroy();
      }
    });
}

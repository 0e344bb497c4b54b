import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { KeygateError } from '../../keygate-error';
import { wholeNumberOption } from '../option-parsers';
import { printResult, withJsonOption } from '../output';
import { progressBar } from '../progress';

interface PublishOptions {
  bucket: string;
  keyBucket?: string;
  region?: string;
  profile?: string;
  concurrency: number;
  endpoint?: string;
  invalidate?: boolean;
  distributionId?: string;
  invalidateTimeout: number;
  cloudfrontEndpoint?: string;
  replace?: boolean;
  json?: boolean;
}

/** keygate publish: upload an origin folder to the media and key buckets, resumable and idempotent. */
export function register(program: Command): void {
  withJsonOption(program.command('publish <dir>'))
    .description('upload videos/ to the media bucket and keys/ to the key bucket (unchanged objects are skipped)')
    .requiredOption('--bucket <name>', 'the media bucket (stack output MediaBucketName)')
    .option('--key-bucket <name>', 'the key bucket (stack output KeyBucketName); needed when the folder holds keys/')
    .option('--region <region>', 'bucket region (default: $AWS_REGION)')
    .option('--profile <name>', 'AWS profile to use')
    .addOption(wholeNumberOption('--concurrency <n>', 'uploads at once', { min: 1 }, 8))
    .option('--endpoint <url>', 'an S3-compatible endpoint, e.g. http://127.0.0.1:4568 (path-style)')
    .option(
      '--replace',
      'publish each title as a new version beside the old one (videos/<id>/v<n>/, keys/<id>/v<n>-<k>.key), its master uploaded last',
    )
    .option(
      '--invalidate',
      'upload over a title already published with other keys, then invalidate /videos/<id>/* and /keys/<id>/* and wait for it (needs --distribution-id)',
    )
    .option('--distribution-id <id>', 'the CloudFront distribution to invalidate (with --invalidate)')
    .addOption(
      wholeNumberOption(
        '--invalidate-timeout <seconds>',
        'how long to wait for the invalidation to complete',
        { min: 1, noun: 'a whole number of seconds' },
        900,
      ),
    )
    .option('--cloudfront-endpoint <url>', 'a CloudFront API endpoint (tests)')
    .action(async (dir: string, options: PublishOptions) => {
      if (!existsSync(dir)) throw new KeygateError(`no folder at ${dir}`);
      const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new KeygateError('no region: pass --region or set AWS_REGION (the stack region)');
      // Checked before any upload: an upload over old keys without the invalidation is what the guard exists to stop.
      if (options.invalidate && !options.distributionId)
        throw new KeygateError('--invalidate needs --distribution-id <id> (the distribution the stack created); nothing was uploaded');
      if (options.distributionId && !options.invalidate)
        throw new KeygateError('--distribution-id is only used with --invalidate; nothing was uploaded');
      // Required only when publish runs (the S3 SDK is large and no other command needs it); tsx keeps import() native.
      const { publishOrigin, s3ClientFor } = require('../../media/publish') as typeof import('../../media/publish');
      const client = s3ClientFor({ region, profile: options.profile, endpoint: options.endpoint });
      let bar: ReturnType<typeof progressBar> | undefined;
      try {
        const report = await publishOrigin(
          dir,
          client,
          { media: options.bucket, keys: options.keyBucket },
          {
            concurrency: options.concurrency,
            overwriteKeys: options.invalidate === true,
            replace: options.replace === true,
            onProgress: (done, total) => {
              bar ??= progressBar(total, 'publishing');
              bar.update(done);
            },
          },
        );
        bar?.stop();
        const sentences = [
          `uploaded ${report.uploaded.length} objects (${(report.bytesUploaded / 1e6).toFixed(1)} MB), ` +
            `skipped ${report.skipped.length} unchanged${report.ignored.length ? `, ignored ${report.ignored.length} unknown files` : ''}`,
          ...Object.entries(report.versions).map(
            ([videoId, version]) =>
              `published ${videoId} as version ${version}: new viewers get it once their cached master playlist expires (a minute); ` +
              `viewers who started before finish on the old version, which stays in both buckets`,
          ),
        ];
        // A person sees the upload before the (possibly long) wait for the invalidation; a script gets one record at the end.
        if (!options.json) process.stdout.write(`${sentences.join('\n')}\n`);
        const invalidation = options.invalidate ? await invalidate(options, report.videoIds) : undefined;
        const invalidated = `invalidation ${invalidation} completed: every edge now serves the new packaging of ${report.videoIds.join(', ')}`;
        if (options.json) printResult(options, { ...report, ...(invalidation === undefined ? {} : { invalidation }) }, '');
        else if (invalidation !== undefined) process.stdout.write(`${invalidated}\n`);
      } finally {
        bar?.stop();
        client.destroy();
      }
    });
}

/** Invalidates the titles' paths and waits for it; gives the invalidation's id. */
async function invalidate(options: PublishOptions, videoIds: string[]): Promise<string> {
  const { cloudFrontClientFor, invalidateAndWait, invalidationPathsOf } =
    require('../../media/cdn-invalidation') as typeof import('../../media/cdn-invalidation');
  const distributionId = options.distributionId as string;
  const paths = invalidationPathsOf(videoIds);
  const client = cloudFrontClientFor({ profile: options.profile, endpoint: options.cloudfrontEndpoint });
  process.stderr.write(
    `invalidating ${paths.join(' ')} on ${distributionId}: until it completes, viewers may get old keys with new segments and fail to play\n`,
  );
  try {
    const id = await invalidateAndWait(client, distributionId, paths, {
      timeoutMs: options.invalidateTimeout * 1000,
      onProgress: (status, waitedMs) => process.stderr.write(`invalidation ${status} (${Math.round(waitedMs / 1000)} s)\n`),
    });
    return id;
  } finally {
    client.destroy();
  }
}

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { MissingKeyBucketError, PublishError, publishOrigin, s3ClientFor } from '../../media/publish';
import { CliError } from '../cli-error';
import { progressBar } from '../progress';

/** keygate publish: upload an origin folder to the media and key buckets, resumable and idempotent. */
export function register(program: Command): void {
  program
    .command('publish <dir>')
    .description('upload videos/ to the media bucket and keys/ to the key bucket (unchanged objects are skipped)')
    .requiredOption('--bucket <name>', 'the media bucket (stack output MediaBucketName)')
    .option('--key-bucket <name>', 'the key bucket (stack output KeyBucketName); needed when the folder holds keys/')
    .option('--region <region>', 'bucket region (default: $AWS_REGION)')
    .option('--profile <name>', 'AWS profile to use')
    .option('--concurrency <n>', 'uploads at once', '8')
    .option('--endpoint <url>', 'an S3-compatible endpoint, e.g. http://127.0.0.1:4568 (path-style)')
    .action(
      async (
        dir: string,
        options: { bucket: string; keyBucket?: string; region?: string; profile?: string; concurrency: string; endpoint?: string },
      ) => {
        if (!existsSync(dir)) throw new CliError(`no folder at ${dir}`);
        const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) throw new CliError('no region: pass --region or set AWS_REGION (the stack region)');
        if (!/^\d+$/.test(options.concurrency) || Number(options.concurrency) < 1)
          throw new CliError('--concurrency must be a whole number ≥ 1');
        const client = s3ClientFor({ region, profile: options.profile, endpoint: options.endpoint });
        let bar: ReturnType<typeof progressBar> | undefined;
        try {
          const report = await publishOrigin(
            dir,
            client,
            { media: options.bucket, keys: options.keyBucket },
            {
              concurrency: Number(options.concurrency),
              onProgress: (done, total) => {
                bar ??= progressBar(total, 'publishing');
                bar.update(done);
              },
            },
          );
          bar?.stop();
          process.stdout.write(
            `uploaded ${report.uploaded.length} objects (${(report.bytesUploaded / 1e6).toFixed(1)} MB), ` +
              `skipped ${report.skipped.length} unchanged${report.ignored.length ? `, ignored ${report.ignored.length} unknown files` : ''}\n`,
          );
        } catch (error) {
          bar?.stop();
          if (error instanceof PublishError) {
            throw new CliError(
              error instanceof MissingKeyBucketError ? `${error.message}: pass --key-bucket (stack output KeyBucketName)` : error.message,
            );
          }
          const name = error instanceof Error ? error.name : '';
          if (name === 'NoSuchBucket') {
            const bucket = (error as { BucketName?: string }).BucketName;
            throw new CliError(
              bucket === undefined || bucket === options.bucket
                ? `bucket ${bucket ?? options.bucket} does not exist: check --bucket and --region`
                : `bucket ${bucket} does not exist: check --key-bucket and --region`,
            );
          }
          if (name === 'CredentialsProviderError')
            throw new CliError('no AWS credentials: set AWS_PROFILE, --profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
          throw new CliError(`upload failed (${name || 'error'}): ${(error as Error).message}; run the same command again to resume`);
        } finally {
          client.destroy();
        }
      },
    );
}

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { KeygateError } from '../../keygate-error';
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
        if (!existsSync(dir)) throw new KeygateError(`no folder at ${dir}`);
        const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) throw new KeygateError('no region: pass --region or set AWS_REGION (the stack region)');
        if (!/^\d+$/.test(options.concurrency) || Number(options.concurrency) < 1)
          throw new KeygateError('--concurrency must be a whole number ≥ 1');
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
        } finally {
          bar?.stop();
          client.destroy();
        }
      },
    );
}

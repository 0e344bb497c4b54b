/**
 * `npm run build`: builds the edge function exactly as `cdk deploy` would, from cdk.json's context,
 * into dist/key-authorizer/ (index.js + authorizer-config.json), and reports its zipped size.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { authorizerConfigFor } from '../lib/config/authorizer-config-for';
import { InvalidConfigError, parseKeygateConfig } from '../lib/config/keygate-config';
import { AUTHORIZER_ZIPPED_BUDGET_BYTES, buildAuthorizerBundle } from '../lib/build/authorizer-bundle';

const root = resolve(__dirname, '..');
const outDir = join(root, 'dist', 'key-authorizer');
try {
  const context = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context;
  const { bundleFile } = buildAuthorizerBundle(authorizerConfigFor(parseKeygateConfig(context, { baseDir: root })), outDir);
  const bytes = readFileSync(bundleFile);
  const zipped = deflateRawSync(bytes, { level: 9 }).length;
  process.stdout.write(
    `built ${bundleFile}: ${(bytes.length / 1024).toFixed(0)} KB, ~${(zipped / 1024).toFixed(0)} KB zipped ` +
      `(budget ${AUTHORIZER_ZIPPED_BUDGET_BYTES / 1024} KB; Lambda@Edge viewer-request limit 1 MB)\n`,
  );
} catch (error) {
  if (!(error instanceof InvalidConfigError)) throw error;
  process.stderr.write(`keygate: ${error.message}\n`);
  process.exit(1);
}

/**
 * `npm run build`: builds the edge function exactly as `cdk deploy` would, from cdk.json's context,
 * into dist/key-authorizer/ (index.js + authorizer-config.json), and reports its zipped size.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { authorizerConfigFor } from '../lib/config/authorizer-config-for';
import { InvalidConfigError, parseKeygateConfig } from '../lib/config/keygate-config';
import { AUTHORIZER_ZIPPED_BUDGET_BYTES, buildAuthorizerBundle } from '../lib/build/authorizer-bundle';
import { EDGE_VIEWER_REQUEST_ZIPPED_LIMIT_BYTES, zippedSize } from '../lib/build/zipped-size';

const root = resolve(__dirname, '..');
const outDir = join(root, 'dist', 'key-authorizer');
const kb = (bytes: number) => (bytes / 1024).toFixed(0);
try {
  const context = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context;
  const { bundleFile } = buildAuthorizerBundle(authorizerConfigFor(parseKeygateConfig(context, { baseDir: root })), outDir);
  process.stdout.write(
    `built ${bundleFile}: ${kb(statSync(bundleFile).size)} KB, ${kb(zippedSize(outDir))} KB zipped ` +
      `(budget ${kb(AUTHORIZER_ZIPPED_BUDGET_BYTES)} KB; Lambda@Edge viewer-request limit ${EDGE_VIEWER_REQUEST_ZIPPED_LIMIT_BYTES / 1024 / 1024} MB)\n`,
  );
} catch (error) {
  if (!(error instanceof InvalidConfigError)) throw error;
  process.stderr.write(`keygate: ${error.message}\n`);
  process.exit(1);
}

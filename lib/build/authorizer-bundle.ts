import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';
import { AUTHORIZER_CONFIG_FILE, type AuthorizerConfig, parseAuthorizerConfig } from '../../lambda/key-authorizer/contract';

export const AUTHORIZER_ENTRY = resolve(__dirname, '../../lambda/key-authorizer/index.ts');
export const AUTHORIZER_BUNDLE_FILE = 'index.js';
/** Lambda@Edge's limit for a viewer-request package is 1 MB zipped; ours must stay far below. */
export const AUTHORIZER_ZIPPED_BUDGET_BYTES = 400 * 1024;

/**
 * Builds the edge function into `outDir`: one minified CJS file for nodejs22.x, with the config
 * beside it as `authorizer-config.json`. The one build used by `npm run build`, the CDK asset and
 * `keygate dev`, so the local run exercises exactly what deploys. Synchronous, for CDK local bundling.
 */
export function buildAuthorizerBundle(config: AuthorizerConfig, outDir: string): { bundleFile: string; configFile: string } {
  // Validate with the same parser the function runs at load, so a bad config fails the build, not the edge.
  const checked = parseAuthorizerConfig(JSON.parse(JSON.stringify(config)));
  mkdirSync(outDir, { recursive: true });
  const bundleFile = join(outDir, AUTHORIZER_BUNDLE_FILE);
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [AUTHORIZER_ENTRY], outfile: bundleFile });
  const configFile = join(outDir, AUTHORIZER_CONFIG_FILE);
  writeFileSync(configFile, `${JSON.stringify(checked, null, 2)}\n`);
  return { bundleFile, configFile };
}

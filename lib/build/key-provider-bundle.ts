import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';

export const KEY_PROVIDER_ENTRY = resolve(__dirname, '../live/key-provider-lambda.ts');

/**
 * Builds the deployed SPEKE key provider (a regional Lambda, `index.handler`) into `outDir`, bundled
 * like the authorizer. Synchronous, for CDK local bundling.
 */
export function buildKeyProviderBundle(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const bundleFile = join(outDir, 'index.js');
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [KEY_PROVIDER_ENTRY], outfile: bundleFile });
  return bundleFile;
}

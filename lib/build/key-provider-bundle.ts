import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const KEY_PROVIDER_ENTRY = resolve(__dirname, '../live/key-provider-lambda.ts');

/**
 * Builds the deployed SPEKE key provider (a regional Lambda, `index.handler`) into `outDir`: one
 * minified CJS file for nodejs22.x with the S3 client bundled, so the function runs the SDK version
 * tested here rather than the runtime's. Synchronous, for CDK local bundling.
 */
export function buildKeyProviderBundle(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const bundleFile = join(outDir, 'index.js');
  buildSync({
    entryPoints: [KEY_PROVIDER_ENTRY],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  return bundleFile;
}

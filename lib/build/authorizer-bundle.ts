import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';
import { AUTHORIZER_CONFIG_FILE, type AuthorizerConfig, parseAuthorizerConfig } from '../../lambda/key-authorizer/contract';

export const AUTHORIZER_ENTRY = resolve(__dirname, '../../lambda/key-authorizer/index.ts');
/**
 * SDK modules the edge never runs, each replaced by a small stand-in (each file says why): the
 * default credential chain by its environment provider, the endpoint-discovery cache by an empty one.
 */
const EDGE_ALIASES = {
  '@aws-sdk/credential-provider-node': resolve(__dirname, '../../lambda/key-authorizer/config/environment-credentials.ts'),
  '@aws-sdk/endpoint-cache': resolve(__dirname, '../../lambda/key-authorizer/config/no-endpoint-cache.ts'),
};
export const AUTHORIZER_BUNDLE_FILE = 'index.js';
/**
 * Lambda@Edge's limit for a viewer-request package is 1 MB zipped; a smaller bundle loads faster on
 * a cold start. Issue #24's goal is 90 KB (83.6 KB without the credential chain, 122.7 KB with it):
 * growing past it should be a decision, not an accident.
 */
export const AUTHORIZER_ZIPPED_BUDGET_BYTES = 90 * 1024;

export interface AuthorizerBundle {
  bundleFile: string;
  configFile: string;
  /** The source files bundled, as esbuild names them (relative to the working directory). */
  modules: string[];
}

/**
 * Builds the edge function into `outDir`: one minified CJS file for nodejs22.x, with the config
 * beside it as `authorizer-config.json`. The one build used by `npm run build`, the CDK asset and
 * `keygate dev`, so the local run exercises exactly what deploys. Synchronous, for CDK local bundling.
 */
export function buildAuthorizerBundle(config: AuthorizerConfig, outDir: string): AuthorizerBundle {
  // Validate with the same parser the function runs at load, so a bad config fails the build, not the edge.
  const checked = parseAuthorizerConfig(JSON.parse(JSON.stringify(config)));
  mkdirSync(outDir, { recursive: true });
  const bundleFile = join(outDir, AUTHORIZER_BUNDLE_FILE);
  const { metafile } = buildSync({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: [AUTHORIZER_ENTRY],
    outfile: bundleFile,
    // Lambda supplies credentials in the environment; the rest of the chain was a third of the bundle.
    alias: EDGE_ALIASES,
    metafile: true,
  });
  // The source files that put code into the bundle (a module tree-shaken away entirely is not one).
  const modules = Object.entries(Object.values(metafile.outputs)[0]?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  const configFile = join(outDir, AUTHORIZER_CONFIG_FILE);
  writeFileSync(configFile, `${JSON.stringify(checked, null, 2)}\n`);
  return { bundleFile, configFile, modules };
}

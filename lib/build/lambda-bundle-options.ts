import type { BuildOptions } from 'esbuild';

/**
 * How every Keygate Lambda is bundled: one minified CJS file for Node 22 with the SDK inside, so
 * functions run the SDK version tested here rather than the runtime's.
 */
export const LAMBDA_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  // ESM builds of the SDK tree-shake better: ~104 KB zipped instead of ~158 KB for the authorizer.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  // The SDK lazily `import()`s node:http; as require() it also loads inside jest's vm and the dev emulator.
  supported: { 'dynamic-import': false },
  logLevel: 'silent',
};

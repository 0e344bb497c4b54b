import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Dependencies point one way (../shared/ARCHITECTURE.md, Layout): the edge function imports nothing of the
 * app; admin, media, config, build and infra never import the dev server or the CLI; nothing
 * outside test/ imports test/. Each folder gets the whole list of what it may not import, because
 * a later config object's no-restricted-imports replaces an earlier one's instead of adding to it.
 */
const forbidden = {
  lib: { regex: '^(\\.\\./)+lib(/|$)', message: 'the edge function imports nothing from lib/: move what it needs into lambda/' },
  app: {
    regex: '^(\\.\\./)+(bin|bench|scripts)(/|$)',
    message: 'application code never imports bin/, bench/ or scripts/: move the shared piece into lib/',
  },
  test: { regex: '^(\\.\\./)+test(/|$)', message: 'only tests import test/: move the shared piece into lib/ or bench/harness/' },
  // The player kit runs in viewers' browsers: it may share the authorizer's wire names, nothing of the app.
  appFromBrowser: { regex: '^\\.\\./[^.]', message: 'the player kit runs in the browser: it imports nothing from the rest of lib/' },
  // The authorizer's internals are free to change: the rest of the app sees only its contract (lambda/key-authorizer/contract).
  authorizerInternals: {
    regex: '^(\\.\\./)+lambda/key-authorizer(?!/contract(/browser)?$)(/|$)',
    message: 'import the key authorizer only through lambda/key-authorizer/contract: re-export there what you need',
  },
  authorizerFromBrowser: {
    regex: '^(\\.\\./)+lambda/key-authorizer(?!/contract/browser$)(/|$)',
    message: 'the player kit imports the key authorizer only through lambda/key-authorizer/contract/browser (browser-safe leaves)',
  },
  devOrCli: {
    regex: '^(\\.\\./)+(lib/)?(dev|cli)(/|$)',
    message:
      'admin, media, config, build, infra and live never import the dev server or the CLI: move the shared piece down into their layer',
  },
};
const restrict = (files, rules) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: rules }] } });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', '.keygate/', 'coverage/', 'test-artifacts/', 'bench/.work/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        jest: 'readonly',
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  restrict(['lambda/**/*.ts'], [forbidden.lib, forbidden.app, forbidden.test]),
  restrict(
    ['lib/**/*.ts', 'bin/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    [forbidden.app, forbidden.test, forbidden.authorizerInternals],
  ),
  restrict(
    ['lib/{admin,media,config,build,infra,live}/**/*.ts', 'lib/*.ts'],
    [forbidden.app, forbidden.test, forbidden.devOrCli, forbidden.authorizerInternals],
  ),
  restrict(['lib/player-kit/**/*.ts'], [forbidden.app, forbidden.test, forbidden.appFromBrowser, forbidden.authorizerFromBrowser]),
  // bench and scripts sit beside lib/, so their own folder is not "the application" to them.
  restrict(['bench/**/*.ts', 'scripts/**/*.ts', 'bin/**/*.ts'], [forbidden.test, forbidden.authorizerInternals]),
);

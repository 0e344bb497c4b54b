/** One project per kind of test, so `npm run test:unit` and friends pick theirs. */
// Type-checking is `npm run typecheck`'s job; ts-jest only transpiles (tsconfig has isolatedModules).
const tsJest = ['ts-jest', { diagnostics: false }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  setupFiles: ['<rootDir>/test/setup-env.js'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts/integration.js'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'infra',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts/infra.js'],
      // One synthesis per distinct context for the whole run, shared by every infra test file.
      globalSetup: '<rootDir>/test/fixtures/synth-cache.ts',
      globalTeardown: '<rootDir>/test/fixtures/synth-cache-teardown.ts',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts/e2e.js'],
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'bench',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts/bench.js'],
      testMatch: ['<rootDir>/test/bench/**/*.test.ts'],
    },
  ],
};

// @swc/jest keeps the suite fast on a 2-core machine. age-encryption and its @noble/@scure
// dependencies, and Octokit with its helpers, ship ESM only, so they are transformed too instead
// of being ignored.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.contract.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(age-encryption|@noble|@scure|jose|@octokit|universal-user-agent|before-after-hook|json-with-bigint|fast-content-type-parse|content-type)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Pulumi's and the AWS SDK's async-local stores are read after jest's soft global cleanup;
  // the cleanup warns on every file without protecting anything here.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testTimeout: 30000,
  maxWorkers: 2,
};

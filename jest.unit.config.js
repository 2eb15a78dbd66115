// The fast tier (`npm run test:unit`): every test that needs no service — no moto, no redis, no
// D-Bus/Secret Service, no built dist/ — i.e. test/unit/ and the service-free contract suites
// (*-local.contract.ts). test/support/no-services.ts removes the service endpoints, so a test
// here that reaches for one fails instead of quietly using it. `npm test` (scripts/test.sh) still
// runs everything with the default jest.config.js.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/contract/**/*-local.contract.ts'],
  setupFiles: [...base.setupFiles, '<rootDir>/test/support/no-services.ts'],
};

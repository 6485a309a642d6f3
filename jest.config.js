process.env.TZ = "UTC";
// Three kinds of test (see docs/testing.md):
//  unit        — pure domain code, no I/O: src/**/*.spec.ts and test/unit/**
//  integration — real PostgreSQL and Redis: test/integration/**
//  e2e         — the HTTP API (and worker processes) driven as a client would: test/e2e/**
//  browser     — the web app in Chromium against the real service: test/browser/**
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { ...swcrc, swcrc: false }] };
// A few dependencies ship ESM only; Jest (on Node 20) needs them compiled to CommonJS.
const ESM_DEPENDENCIES = ['content-disposition'];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_DEPENDENCIES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/node-crypto.ts'],
  rootDir: __dirname,
};
module.exports = {
  // Servers, Redis subscribers and worker hosts started in-process by the e2e files (several
  // federated instances in one file) can leave a handle open after their last test: end the run
  // when the tests are done rather than hang until CI's time limit.
  forceExit: true,
  // Integration and end-to-end files start servers; no test asserts on time (benchmarks do that).
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // The web app in Debian's Chromium (playwright-core), against the service and its workers.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

// Jest setup for every project: the core runs on node:crypto in tests, as in production.
// (test/unit/core/crypto-providers.spec.ts checks the pure-JS provider against it.)
import '../../src/platform/node';

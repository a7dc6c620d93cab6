/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Integration tests start real processes and models on a busy 2-core machine:
  // timeouts are generous on purpose; speed targets live in bench/.
  testTimeout: 120000,
  maxWorkers: 2,
};

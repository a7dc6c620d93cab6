/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
    // ESM-only dependencies (content-disposition 3 under @fastify/static, cookie 1 under
    // light-my-request): Node 20.19+ requires them natively, Jest before Node 24.9 does not, so
    // they are compiled to CommonJS for tests.
    '/node_modules/(content-disposition|cookie)/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie)/)'],
  // Integration tests start real processes and models on a busy 2-core machine:
  // timeouts are generous on purpose; speed targets live in bench/.
  testTimeout: 120000,
  maxWorkers: 2,
};

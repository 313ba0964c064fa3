// ESM throughout: @actions/core 3 is ESM-only, so tests run as native ESM (NODE_OPTIONS=--experimental-vm-modules).
export default {
  // The node environment, where Node's own errors are `instanceof Error` as they are in the bundle.
  testEnvironment: '<rootDir>/__tests__/support/node-environment.js',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // After each test file: every step it ran is scanned for every secret its worlds issued.
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/leak-scan.setup.ts'],
  // Once per run: one line when later steps use the SDK because the AWS CLI is not on PATH.
  globalSetup: '<rootDir>/__tests__/support/later-step.global-setup.ts',
  testTimeout: 60000,
  // Three files at a time on two cores (jest's default would be one): the e2e files spend most of
  // their time waiting on spawned steps, the AWS CLI and real timeouts.
  maxWorkers: 3,
  // `npm run coverage`: src/ as the in-process and unit tests reach it (a spawned dist/ step adds nothing).
  collectCoverageFrom: ['src/**/*.ts'],
  // Only the runner reaches these: the entries (top-level await, process.exit) and the wiring to
  // @actions/core and the runner's files. Every function they call is covered through the Runtime.
  coveragePathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/src/index.ts',
    '<rootDir>/src/post/index.ts',
    '<rootDir>/src/refresh/index.ts',
    '<rootDir>/src/toolkit.ts',
    '<rootDir>/src/post/step.ts'
  ],
  coverageThreshold: { './src/': { lines: 90 } },
  verbose: false
};

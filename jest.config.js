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
  testTimeout: 60000,
  verbose: false
};

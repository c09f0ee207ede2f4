import type { Config } from 'jest';
import base from '../jest.config';

/**
 * `npm run test:e2e`: browser tests against one emulator with the demo data, started by
 * global-setup.ts on a free port. One worker: a single chromium and a single emulator on a 2-core machine.
 */
const config: Config = {
  rootDir: '..',
  testEnvironment: 'node',
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  roots: ['<rootDir>/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  globalSetup: '<rootDir>/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/e2e/global-teardown.ts',
  maxWorkers: 1,
  // A ceiling for a loaded 2-core machine, not a speed check: tests wait for conditions.
  testTimeout: 180_000,
};

export default config;

import type { Config } from 'jest';
import base from './jest.config';

/**
 * `npm run test:reliability`: seeded, bounded fuzzing and fault-injection runs (`*.reliability.test.ts`).
 * Slower than `npm test`, so kept out of it; `.ci/run` runs both.
 */
const config: Config = {
  ...base,
  testMatch: ['**/*.reliability.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
  testTimeout: 180_000,
  // The runs start servers and measure nothing: one at a time keeps them fair on a shared 2-core machine.
  maxWorkers: 1,
};

export default config;

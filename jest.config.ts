import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // @remix-run/multipart-parser (the emulator's $batch parser) ships ES modules only: compile them to CommonJS.
    '/node_modules/@remix-run/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@remix-run/)'],
  roots: [
    '<rootDir>/domain',
    '<rootDir>/dataverse',
    '<rootDir>/plugins',
    '<rootDir>/webresources',
    '<rootDir>/pcf-controls',
    '<rootDir>/tools',
  ],
  // PCF component tests (*.test.tsx) run in jsdom through their `@jest-environment jsdom` docblock.
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  // Reliability runs (fuzzing, fault injection) have their own config: npm run test:reliability.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '/e2e/',
    '/pcf-controls/[^/]+/out/',
    '\\.reliability\\.test\\.ts$',
  ],
  // Integration tests start servers and SQLite databases; a ceiling for a 2-core machine shared by many
  // processes, not a speed check (tests wait for conditions; speed lives in `npm run bench`).
  testTimeout: 180_000,
  // Builds the PCF controls once into node_modules/.cache/ideario-pcf (skipped when their sources are unchanged).
  globalSetup: '<rootDir>/tools/solution/pcfcache.global-setup.ts',
};

export default config;

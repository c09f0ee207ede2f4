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
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/', '/pcf-controls/[^/]+/out/'],
  // Integration tests start servers and SQLite databases; give them room on a 2-core machine.
  testTimeout: 30000,
};

export default config;

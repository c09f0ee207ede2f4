// One flat config for the whole repository: type-checked TypeScript rules everywhere,
// plus the Power Apps checker rules where code runs inside Dynamics (web resources, PCF).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import powerApps from '@microsoft/eslint-plugin-power-apps';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.ideario/**',
      'coverage/**',
      '**/__fixtures__/**',
      'pcf-controls/**/generated/**',
      'pcf-controls/**/out/**',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'Xrm',
          property: 'Page',
          message: 'Xrm.Page is deprecated: use the formContext from the execution context.',
        },
      ],
    },
  },
  // Test support (`*.testkit.ts`) may use jest and test-only shortcuts: only tests, other testkits,
  // jest's global setup and browser tests import it; shared code lives in a plain module.
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: [
      '**/*.test.ts',
      '**/*.test.tsx',
      '**/*.testkit.ts',
      '**/*.testkit.tsx',
      '**/*.global-setup.ts',
      'e2e/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/*.testkit', '*.testkit'], message: 'Only tests import a *.testkit module.' },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../../dataverse*',
                '../../plugins*',
                '../../tools*',
                '../../webresources*',
                'node:*',
                'http',
                'fs',
                'better-sqlite3',
                'dynamics-web-api',
                '**/*.testkit',
              ],
              message: 'domain/ is pure: no platform, I/O or HTTP imports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webresources/**/*.ts', 'pcf-controls/**/*.ts', 'pcf-controls/**/*.tsx'],
    plugins: { '@microsoft/power-apps': powerApps },
    rules: { ...powerApps.configs.paCheckerHosted.rules },
  },
  // The config itself is plain JavaScript whose plugin imports carry no types.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-globals': [
        'error',
        { name: 'Xrm', message: 'Tests get Xrm from the harness, never the global.' },
      ],
    },
  },
);

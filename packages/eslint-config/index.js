// Shared lint rules. Configuration enters through each service's config.ts only, so
// `process.env` is banned everywhere else.
import tseslint from 'typescript-eslint';

/**
 * `onDemandImports`: packages the service's src may load only with import() on first use (type
 * imports allowed): each is megabytes of heap a replica would otherwise hold from its first
 * second, for a feature most replicas never use (root README, "Memory").
 */
export function config({ tsconfigRootDir, allowEnvIn = [], onDemandImports = [] }) {
  return tseslint.config(
    { ignores: ['dist/**', 'src/generated/**', 'coverage/**', '*.config.*'] },
    ...tseslint.configs.recommended,
    {
      languageOptions: { parserOptions: { tsconfigRootDir } },
      rules: {
        '@typescript-eslint/no-explicit-any': 'error',
        '@typescript-eslint/no-non-null-assertion': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        'no-restricted-properties': [
          'error',
          { object: 'process', property: 'env', message: 'Read configuration in config.ts only.' },
        ],
        // Secrets are compared in one audited helper (http-kit secret-compare.ts); a hand-rolled
        // comparison is one refactor away from `===` or an early exit that leaks by timing.
        'no-restricted-imports': [
          'error',
          {
            paths: ['node:crypto', 'crypto'].map((name) => ({
              name,
              importNames: ['timingSafeEqual'],
              message: 'Compare secrets with secretsEqual / createSecretMatcher from @authmeet/http-kit.',
            })),
          },
        ],
      },
    },
    {
      files: ['src/**'],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            paths: onDemandImports.map((name) => ({
              name,
              allowTypeImports: true,
              message: `Load ${name} on first use with import(): it is heavy and most replicas never need it.`,
            })),
          },
        ],
      },
    },
    {
      files: ['src/secret-compare.ts', 'test/secret-compare.test.ts'],
      rules: { 'no-restricted-imports': 'off' },
    },
    {
      files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**', ...allowEnvIn],
      rules: { 'no-restricted-properties': 'off' },
    },
  );
}

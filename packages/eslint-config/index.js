// Shared lint rules. Configuration enters through each service's config.ts only, so
// `process.env` is banned everywhere else.
import tseslint from 'typescript-eslint';

export function config({ tsconfigRootDir, allowEnvIn = [] }) {
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
      },
    },
    {
      files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**', ...allowEnvIn],
      rules: { 'no-restricted-properties': 'off' },
    },
  );
}

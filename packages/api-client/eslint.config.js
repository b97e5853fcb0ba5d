import { config } from '@authmeet/eslint-config';

export default [
  ...config({ tsconfigRootDir: import.meta.dirname }),
  // The library runs in browsers: no Node built-ins in src/ (tests and scripts may use them).
  {
    files: ['src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'src/ runs in browsers: no Node built-ins.' }] }],
    },
  },
];

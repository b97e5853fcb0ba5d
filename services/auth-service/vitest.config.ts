import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // One file at a time: on two cores, argon2 work in a parallel file would skew the login
    // timing comparison, and the suite is short enough either way.
    fileParallelism: false,
  },
});

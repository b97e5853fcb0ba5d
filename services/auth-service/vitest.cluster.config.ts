import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `pnpm test:cluster`: the Redis-heavy test files, unchanged, against a private 3-primary Redis
 * Cluster that the global setup starts (and removes) for this run.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/sessions.test.ts',
      'test/tokens.test.ts',
      'test/rate-limit.test.ts',
      'test/security/parallel-guesses-are-counted-before-hashing.test.ts',
      'test/security/refresh-grace.test.ts',
    ],
    globalSetup: ['../../packages/test-kit/src/cluster-global-setup.ts'],
    setupFiles: ['../../packages/test-kit/src/cluster-mode-guard.ts'],
    // The login timing comparison that keeps `pnpm test` to one file at a time is not in this set.
    fileParallelism: true,
    maxWorkers: 2,
  },
});

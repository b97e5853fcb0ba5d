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
      'test/tokens.test.ts',
      'test/events.test.ts',
      'test/security/streams-end-when-access-ends.test.ts',
      'test/security/streams-capped-per-user.test.ts',
    ],
    globalSetup: ['../../packages/test-kit/src/cluster-global-setup.ts'],
    setupFiles: ['../../packages/test-kit/src/cluster-mode-guard.ts'],
  },
});

import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that exercise the guards under mutation testing (stryker.config.mjs); the whole
 * service suite for every mutant would take hours.
 */
export default defineConfig({
  ...base,
  // Replaces the include list (mergeConfig would append to it).
  test: {
    ...base.test,
    include: [
      'test/roles.test.ts',
      'test/meetings.test.ts',
      'test/join.test.ts',
      'test/stream-registry.test.ts',
      'test/stream-slots.test.ts',
      'test/security/streams-capped-per-user.test.ts',
      'test/security/only-current-participants-read-live-data.test.ts',
    ],
  },
});

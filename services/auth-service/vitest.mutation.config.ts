import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites that exercise the modules under mutation testing (stryker.config.mjs). Running the
 * whole service suite for every mutant would take hours; these cover the mutated code directly.
 */
export default defineConfig({
  ...base,
  // Replaces the include list (mergeConfig would append to it).
  test: {
    ...base.test,
    include: [
      'test/redirect-allowlist*.test.ts',
      'test/refresh-token*.test.ts',
      'test/login-throttle*.test.ts',
      'test/sessions*.test.ts',
      'test/cookie-sessions.test.ts',
      'test/tokens.test.ts',
      'test/rate-limit.test.ts',
    ],
  },
});

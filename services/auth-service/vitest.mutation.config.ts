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
      // Each module's own suite: no app, only the Redis (or one database) it needs, so a run
      // starts nothing else (vitest.related keeps the suites that import the mutated module).
      'test/redirect-allowlist*.test.ts',
      'test/refresh-token-format.test.ts',
      'test/login-throttle.test.ts',
      'test/sessions-repository.test.ts',
      'test/mfa-token-store.test.ts',
      'test/mfa-secret-box.test.ts',
      'test/mfa-codes.test.ts',
      'test/second-factor.test.ts',
      'test/passkey-challenges.test.ts',
      'test/audit/audit-chain.test.ts',
      'test/audit/audit-repository.test.ts',
      'test/browser-sessions.test.ts',
    ],
  },
});

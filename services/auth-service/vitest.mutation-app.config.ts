import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites for the modules checked through the whole app (stryker.app.config.mjs): each builds
 * the app on a database of its own, so every mutant costs seconds. Kept apart from
 * vitest.mutation.config.ts because a suite that builds the app imports every module, and would
 * be started by every module's run there.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/passkeys.test.ts', 'test/passkeys-webauthn.test.ts', 'test/admin/admin.test.ts'],
  },
});

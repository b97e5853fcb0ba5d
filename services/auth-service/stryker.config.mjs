// Mutation testing of this service's security-critical modules (root README, "Mutation testing").
// Manual (not in CI: even the module suites take minutes per module under load). One module:
// pnpm --filter @authmeet/auth-service test:mutation --mutate src/modules/sessions/refresh-token.ts
// The modules checked through the whole app: stryker.app.config.mjs (test:mutation:app).
// Not --testFiles: with it, Stryker 10.1 activates module-level (static) mutants too late and
// reports them as survivors (stryker-js#6144); the include list of the vitest config selects.
import { fileURLToPath } from 'node:url';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/modules/sessions/refresh-token.ts',
    'src/modules/passwords/login-throttle.ts',
    'src/modules/passwords/brute-force.lua.ts',
    'src/modules/oauth/redirect-allowlist.ts',
    'src/modules/sessions/sessions.repository.ts',
    'src/modules/auth/authentication.ts',
    'src/modules/mfa/secret-box.ts',
    'src/modules/mfa/codes.ts',
    'src/modules/mfa/second-factor.ts',
    'src/modules/passkeys/passkey-challenges.ts',
    'src/modules/audit/audit-chain.ts',
  ],
  testRunner: 'vitest',
  // Under pnpm the runner is not next to @stryker-mutator/core, so it is named by path.
  plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'))],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  // The tests use real Postgres and Redis on a shared machine; one worker keeps timings honest.
  concurrency: 1,
  timeoutMS: 20_000,
  thresholds: { high: 95, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

// Mutation testing of this service's security-critical modules (root README, "Mutation testing").
// Manual (not in CI: the service suites are too slow to run per mutant there). One module:
// pnpm --filter @authmeet/auth-service test:mutation --mutate src/modules/oauth/redirect-allowlist.ts
import { fileURLToPath } from 'node:url';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/modules/sessions/refresh-token.ts',
    'src/modules/passwords/login-throttle.ts',
    'src/modules/oauth/redirect-allowlist.ts',
    'src/modules/sessions/sessions.repository.ts',
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

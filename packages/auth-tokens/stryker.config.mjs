// Mutation testing of this package's security-critical modules (root README, "Mutation testing").
// One module quickly: pnpm --filter @authmeet/auth-tokens test:mutation --mutate src/key-source.ts
import { fileURLToPath } from 'node:url';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/token-verifier.ts',
    'src/claims.ts',
    'src/redis-revocation-view.ts',
    'src/key-source.ts',
    'src/permissions.ts',
    'src/step-up.ts',
  ],
  testRunner: 'vitest',
  // Under pnpm the runner is not next to @stryker-mutator/core, so it is named by path.
  plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'))],
  vitest: { configFile: 'vitest.config.ts' },
  coverageAnalysis: 'perTest',
  // Mutants in code that runs when a module loads (module-level constants) are left out: the
  // vitest runner keeps the evaluated module between mutant runs, so such a mutant is never
  // active in the code under test and would survive whatever the tests check (seen with
  // ROLE_PERMISSIONS replaced by {}, which the permissions test plainly refuses).
  ignoreStatic: true,
  // Two workers: the tests mostly wait on timers, sockets and Redis, not on the CPU, and the
  // machine is shared, so more would only add noise to their timing-sensitive parts.
  concurrency: 2,
  thresholds: { high: 95, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

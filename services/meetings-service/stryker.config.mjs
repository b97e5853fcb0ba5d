// Mutation testing of this service's access guards (root README, "Mutation testing"). Manual:
// every mutant costs suites that build the app on a database of their own.
// One module: pnpm --filter @authmeet/meetings-service test:mutation --mutate src/modules/meetings/stream-slots.ts
// Not --testFiles: with it, Stryker 10.1 activates module-level (static) mutants too late and
// reports them as survivors (stryker-js#6144); the include list of the vitest config selects.
import { fileURLToPath } from 'node:url';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    // Who may read, follow, moderate or remove (the host, current members, roles' permissions),
    // and that a removed participant cannot join again.
    'src/modules/meetings/meetings.service.ts:47-85',
    'src/modules/meetings/meetings.service.ts:148-150',
    'src/modules/meetings/meetings.service.ts:219-226',
    // The per-user cap on open event streams, and the ending of streams whose access ended.
    'src/modules/meetings/stream-slots.ts',
    'src/modules/meetings/stream-registry.ts',
  ],
  testRunner: 'vitest',
  // Under pnpm the runner is not next to @stryker-mutator/core, so it is named by path.
  plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'))],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  // Real Postgres and Redis on a shared machine; one worker keeps timings honest.
  concurrency: 1,
  timeoutMS: 20_000,
  thresholds: { high: 95, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

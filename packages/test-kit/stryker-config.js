import { fileURLToPath } from 'node:url';

/**
 * The workspace's StrykerJS settings (root README, "Mutation testing"): the vitest runner, per-test
 * coverage, the 85 % break threshold, HTML and JSON reports under `reports/mutation/`. `options`
 * names the package's modules (`mutate`) and adds or overrides the rest (its vitest config,
 * workers, timeouts). `runner` is `import.meta.resolve('@stryker-mutator/vitest-runner')` from the
 * package's own config: under pnpm the runner is installed next to that package, not here.
 *
 * Mutants in code that runs when a module loads (module-level constants) are left out
 * (`ignoreStatic`): the vitest runner keeps the evaluated module between mutant runs, so such a
 * mutant is never active in the code under test and would survive whatever the tests check.
 *
 * @param {string} runner
 * @param {import('@stryker-mutator/api/core').PartialStrykerOptions} options
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfig(runner, options) {
  return {
    testRunner: 'vitest',
    plugins: [fileURLToPath(runner)],
    vitest: { configFile: 'vitest.config.ts' },
    coverageAnalysis: 'perTest',
    ignoreStatic: true,
    // One worker: real Postgres and Redis on a shared machine keep their timings honest.
    concurrency: 1,
    thresholds: { high: 95, low: 85, break: 85 },
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: 'reports/mutation/index.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    ...options,
  };
}

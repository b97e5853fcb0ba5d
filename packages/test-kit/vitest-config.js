import { defineConfig } from 'vitest/config';

/**
 * The workspace's vitest settings, for every package whose tests run against real services:
 * workspace packages resolved from their sources (the `source` export condition), the tests in
 * `test/**\/*.test.ts`, and timeouts long enough for real databases on a loaded machine. `test`
 * overrides or adds to the test options (a suite's own timeouts, parallelism, setup files).
 *
 * Plain JavaScript (with `vitest-config.d.ts` beside it): vitest loads its config with Node's
 * default export conditions, before anything is built.
 */
export function vitestConfig(test = {}) {
  return defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: { include: ['test/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000, ...test },
  });
}

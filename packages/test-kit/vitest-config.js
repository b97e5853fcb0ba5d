import { defineConfig } from 'vitest/config';

/**
 * The workspace's vitest settings, for every package whose tests run against real services:
 * workspace packages resolved from their sources (the `source` export condition), the tests in
 * `test/**\/*.test.ts`, timeouts long enough for real databases on a loaded machine, and one module
 * graph per worker (`isolate: false`). `test` overrides or adds to the test options (a suite's own
 * timeouts, parallelism, setup files).
 *
 * Not isolating halves the services' suites: with isolation every file loads the whole app graph
 * (Fastify, Prisma, the AWS SDK…) again, and that was a third of their time. It is safe because
 * the files share nothing through modules: each builds its own app, database, Redis prefix and
 * metrics registry, and what must be observed in a fresh process (which modules load lazily) runs
 * in one (`inFreshProcess`). A file that replaces a module with `vi.mock` must import what it
 * tests after `vi.resetModules()`, because another file may have loaded it unmocked.
 *
 * Plain JavaScript (with `vitest-config.d.ts` beside it): vitest loads its config with Node's
 * default export conditions, before anything is built.
 */
export function vitestConfig(test = {}) {
  return defineConfig({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      isolate: false,
      ...test,
    },
  });
}

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 90_000,
    // Every scenario runs its own Postgres, Redis and service processes on two cores: one at a time.
    fileParallelism: false,
  },
});

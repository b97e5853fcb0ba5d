import { defineConfig } from 'vitest/config';

// Its own settings, not @authmeet/test-kit/vitest-config: test-kit depends on this package.

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  // Tests create and drop real Postgres databases, which takes longer than the 5 s default allows on a busy CI box.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});

import { defineConfig } from 'vitest/config';

// Its own settings, not @authmeet/test-kit/vitest-config: test-kit depends on this package.

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 10_000 },
});

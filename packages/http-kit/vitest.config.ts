import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  // Generous per-test timeout: mutation runs share a loaded machine and some tests wait on purpose.
  test: { include: ['test/**/*.test.ts'], testTimeout: 20_000 },
});

import { defineConfig } from 'vitest/config';

// Its own settings: @authmeet/test-kit/vitest-config would make test-kit (pg, the AWS SDK, Redocly)
// a dependency of this small package for a few lines of configuration.

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: { include: ['test/**/*.test.ts'] },
});

import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Every scenario runs its own Postgres, Redis and service processes on two cores: one at a time.
export default vitestConfig({ testTimeout: 180_000, hookTimeout: 90_000, fileParallelism: false });

import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Two cores: each browser test runs two services, nginx and Chromium; one file at a time.
export default vitestConfig({ testTimeout: 30_000, hookTimeout: 60_000, fileParallelism: false });

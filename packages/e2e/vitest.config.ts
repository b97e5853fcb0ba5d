import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Two cores: each browser test runs two services, nginx and Chromium; one file at a time. A browser
// test walks several people through many screens: a minute each, on a machine shared with others.
export default vitestConfig({ testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false });

import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// The workspace's settings, whose 20 s per-test timeout also suits mutation runs on a loaded machine
// (some tests wait on purpose).
export default vitestConfig();

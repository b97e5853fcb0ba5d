import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// The workspace's settings (generous timeouts: mutation runs share a loaded machine and some tests wait on purpose).
export default vitestConfig();

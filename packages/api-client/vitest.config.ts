import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Each file starts both services on their own databases: one file at a time on two cores.
export default vitestConfig({ fileParallelism: false });

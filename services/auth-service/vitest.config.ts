import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// One file at a time: on two cores, argon2 work in a parallel file would skew the login timing
// comparison, and the suite is short enough either way.
export default vitestConfig({ fileParallelism: false });

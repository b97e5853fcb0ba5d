import { vitestConfig } from '@authmeet/test-kit/vitest-config';

// Two cores: argon2 work and the timing test stay honest with one file per core.
export default vitestConfig({ maxWorkers: 2 });

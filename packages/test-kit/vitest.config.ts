import { vitestConfig } from './vitest-config.js';

export default vitestConfig({ include: ['test/**/*.test.ts'] });

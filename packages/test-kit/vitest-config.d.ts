import type { TestUserConfig, ViteUserConfig } from 'vitest/config';

export declare function vitestConfig(test?: TestUserConfig): ViteUserConfig & { test: TestUserConfig };

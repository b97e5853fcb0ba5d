import type { PartialStrykerOptions } from '@stryker-mutator/api/core';

export declare function strykerConfig(runner: string, options: PartialStrykerOptions): PartialStrykerOptions;

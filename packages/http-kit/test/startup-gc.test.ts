import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectStartupGarbage } from '../src/index.js';

const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;

describe('collectStartupGarbage', () => {
  it('runs a memory-reducing collection that shrinks the young generation, leaving no global gc', () => {
    // Short-lived garbage, as start-up makes: the young generation grows to hold it.
    let junk: { i: number; s: string }[] = [];
    for (let round = 0; round < 20; round += 1) junk = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `x${i}` }));
    expect(junk).toHaveLength(20_000);
    junk = [];
    const before = youngBytes();
    expect(collectStartupGarbage()).toBe(true);
    const after = youngBytes();
    expect(after).toBeLessThan(before);
    expect(after).toBeLessThan(2 * 1024 * 1024);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

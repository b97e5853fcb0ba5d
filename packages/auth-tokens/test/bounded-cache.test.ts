import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundedCache } from '../src/index.js';

describe('boundedCache', () => {
  it('holds at most maxEntries and evicts the least recently used', () => {
    const cache = boundedCache<string, number>(3);
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.has('b')).toBe(false);
    expect([...cache.keys()].sort()).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 100; i += 1) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect([...cache.keys()].sort()).toEqual(['k97', 'k98', 'k99']);
  });

  it('passes the other options through (a TTL expires entries)', () => {
    let now = 1_000;
    const cache = boundedCache<string, true>(10, { ttl: 100, ttlResolution: 0, perf: { now: () => now } });
    cache.set('user', true);
    now += 99;
    expect(cache.get('user')).toBe(true);
    now += 2;
    expect(cache.get('user')).toBeUndefined();
  });

  it('allocates no storage for entries it does not hold', () => {
    // lru-cache with `max: 100_000` allocates 2.4 MB at construction; 20 of them would be 48 MB.
    const before = getHeapStatistics().used_heap_size;
    const caches = Array.from({ length: 20 }, () => boundedCache<string, number>(100_000));
    for (const cache of caches) cache.set('one', 1);
    const grown = getHeapStatistics().used_heap_size - before;
    expect(caches.every((c) => c.size === 1)).toBe(true);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => boundedCache(bad)).toThrow(TypeError);
  });
});

import { LRUCache } from 'lru-cache';

/** LRUCache's options other than the bound, which `boundedCache` sets itself. */
export type BoundedCacheOptions<K extends NonNullable<unknown>, V extends NonNullable<unknown>> = Omit<LRUCache.Options<K, V, unknown>, 'max' | 'maxSize' | 'sizeCalculation' | 'maxEntrySize'>;

/**
 * An LRU cache of at most `maxEntries` entries whose storage grows with what it holds.
 *
 * lru-cache given `max` allocates its whole storage up front: four arrays of `max` slots, 2.4 MB
 * at 100,000 entries, resident from the process's first second whether or not a single entry is
 * ever stored (7.2 MB of an idle meetings-service's heap with its three caches). Bounded by
 * `maxSize` with every entry of size 1 instead, it holds the same number of entries, evicts the
 * same least recently used one, and grows its arrays as entries arrive.
 */
export function boundedCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(maxEntries: number, options: BoundedCacheOptions<K, V> = {}): LRUCache<K, V> {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
  return new LRUCache<K, V>({ ...options, maxSize: maxEntries, sizeCalculation: () => 1 });
}

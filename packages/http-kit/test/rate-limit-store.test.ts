import { createTestRedis, deleteTestRedisKeys, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { batchedRedisStore } from '../src/rate-limit-store.js';
import type { RedisClient } from '../src/index.js';

// The generic limit's store on its own, against the real Redis: which requests reach Redis, what
// each answer says, and what a sync sends. The plugin around it: rate-limit.test.ts.
const prefix = uniqueRedisPrefix('http-kit-rate-limit-store');
const clients: RedisClient[] = [];
let label = 0;

afterEach(() => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(() => deleteTestRedisKeys(prefix));

interface Answer {
  current: number;
  ttl: number;
}

/** One replica's store (syncs only when told), on its own key prefix unless it shares `keyPrefix`. */
function replica(opts: { keyPrefix?: string; maxClients?: number; redis?: RedisClient; syncMs?: number } = {}) {
  if (opts.keyPrefix === undefined) label += 1;
  const keyPrefix = opts.keyPrefix ?? `${prefix}${label}:`;
  const redis = opts.redis ?? createTestRedis({ keyPrefix });
  clients.push(redis);
  const Store = batchedRedisStore({ redis, nameSpace: 'rl:', syncMs: opts.syncMs ?? 3_600_000, maxClients: opts.maxClients ?? 100 });
  const store = new Store({});
  const calls = vi.spyOn(redis, 'evalsha');
  const incr = (key: string, max = 100, windowMs = 60_000) =>
    new Promise<Answer>((resolve, reject) => {
      store.incr(key, (error, result) => (error || !result ? reject(error ?? new Error('no result')) : resolve(result)), windowMs, max);
    });
  const count = async (key: string) => Number((await redis.get(`rl:${key}`)) ?? 0);
  return { store, Store, redis, calls, incr, count, keyPrefix };
}

describe('the batched store of the generic limit', () => {
  it('counts a new client in Redis, then in memory under half the limit until a sync adds the counts', async () => {
    const { Store, calls, incr, count, redis } = replica();
    const first = await incr('a');
    expect(first.current).toBe(1);
    expect(first.ttl).toBeGreaterThan(59_000);
    expect(first.ttl).toBeLessThanOrEqual(60_000);
    for (let i = 2; i <= 5; i += 1) {
      const answer = await incr('a');
      expect(answer.current).toBe(i);
      expect(answer.ttl).toBeGreaterThan(59_000);
      expect(answer.ttl).toBeLessThanOrEqual(60_000);
    }
    expect(calls).toHaveBeenCalledTimes(1);
    expect(await count('a')).toBe(1);
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(2);
    expect(await count('a')).toBe(5);
    expect(await redis.pttl('rl:a')).toBeGreaterThan(59_000);
    // Nothing pending: a sync sends nothing.
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('a sync sends only the clients with counts pending', async () => {
    const { Store, calls, incr, count } = replica();
    await incr('a');
    await incr('b');
    await incr('a');
    expect(calls).toHaveBeenCalledTimes(2);
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(3);
    expect(await count('a')).toBe(2);
    expect(await count('b')).toBe(1);
  });

  it('from half the limit on, each request goes to Redis with what was pending, and Redis decides', async () => {
    const { Store, calls, incr, count } = replica();
    for (let i = 1; i <= 5; i += 1) expect((await incr('a', 10)).current).toBe(i);
    expect(calls).toHaveBeenCalledTimes(1);
    expect((await incr('a', 10)).current).toBe(6);
    expect(calls).toHaveBeenCalledTimes(2);
    expect(await count('a')).toBe(6);
    expect((await incr('a', 10)).current).toBe(7);
    expect(calls).toHaveBeenCalledTimes(3);
    // What was pending went with the 6th: a sync has nothing to send.
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it('a sync brings back the other replicas\' counts, keeping what was counted while it travelled', async () => {
    const one = replica();
    const two = replica({ keyPrefix: one.keyPrefix });
    expect((await one.incr('a')).current).toBe(1);
    expect((await two.incr('a')).current).toBe(2);
    await two.incr('a');
    await two.incr('a');
    await two.Store.flush();
    expect(await one.count('a')).toBe(4);
    expect((await one.incr('a')).current).toBe(2); // one's own view: its last answer plus one
    const syncing = one.Store.flush();
    expect((await one.incr('a')).current).toBe(3); // counted while the sync travels
    await syncing;
    expect(await one.count('a')).toBe(5);
    // Redis's 5 plus the one counted during the sync.
    expect((await one.incr('a')).current).toBe(7);
  });

  it('a new window starts from Redis again, and the counts of an ended window are dropped', async () => {
    const { Store, calls, incr, count, redis } = replica();
    expect((await incr('a', 100, 300)).current).toBe(1);
    expect((await incr('a', 100, 300)).current).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(1);
    expect(await redis.exists('rl:a')).toBe(0);
    expect((await incr('a', 100, 300)).current).toBe(1);
    expect(calls).toHaveBeenCalledTimes(2);
    expect(await count('a')).toBe(1);
    // The window just opened in Redis is the one followed now.
    expect((await incr('a', 100, 300)).current).toBe(2);
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('a request after the window ended opens a new one in Redis, without the old window\'s pending counts', async () => {
    const { Store, calls, incr } = replica();
    expect((await incr('a', 100, 300)).current).toBe(1);
    expect((await incr('a', 100, 300)).current).toBe(2); // pending, never synced
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await incr('a', 100, 300)).current).toBe(1);
    expect(calls).toHaveBeenCalledTimes(2);
    // The sync drops the ended window's pending count and keeps the new window.
    await Store.flush();
    expect(calls).toHaveBeenCalledTimes(2);
    expect((await incr('a', 100, 300)).current).toBe(2);
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('an answer that arrives after a later one was counted in memory keeps that count', async () => {
    const { incr, store } = replica();
    const inner: Answer[] = [];
    // Two first requests of a client, both sent to Redis; as soon as the first is answered, a
    // third is counted in memory, before the second's answer comes back.
    const first = new Promise<Answer>((resolve, reject) => {
      store.incr(
        'a',
        (error, result) => {
          if (error || !result) return reject(error ?? new Error('no result'));
          store.incr('a', (_e, r) => r && inner.push(r), 60_000, 100);
          resolve(result);
        },
        60_000,
        100,
      );
    });
    const second = incr('a');
    expect((await first).current).toBe(1);
    expect((await second).current).toBe(2);
    expect(inner.map((a) => a.current)).toEqual([2]);
    // Redis's 2 plus the one counted in memory meanwhile.
    expect((await incr('a')).current).toBe(4);
  });

  it('follows at most maxClients clients in memory; the others are counted in Redis request by request', async () => {
    const { calls, incr } = replica({ maxClients: 2 });
    await incr('a');
    await incr('b');
    await incr('c');
    expect(calls).toHaveBeenCalledTimes(3);
    expect((await incr('c')).current).toBe(2);
    expect(calls).toHaveBeenCalledTimes(4);
    expect((await incr('a')).current).toBe(2);
    expect(calls).toHaveBeenCalledTimes(4);
  });

  it('a client whose window ended makes room for another, and takes its own place again', async () => {
    const { Store, calls, incr } = replica({ maxClients: 1 });
    await incr('a', 100, 300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await incr('a', 100, 300); // a new window of the same client: it keeps its place
    await incr('a', 100, 300);
    expect(calls).toHaveBeenCalledTimes(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await incr('b', 100, 300);
    await incr('b', 100, 300); // a pass over the clients forgot a: b fits
    expect(calls).toHaveBeenCalledTimes(3);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await incr('c');
    await incr('c'); // b's window ended, but the next pass is a sync away: c is counted in Redis
    expect(calls).toHaveBeenCalledTimes(5);
    await Store.flush(); // a sync forgets b
    await incr('c');
    await incr('c');
    expect(calls).toHaveBeenCalledTimes(6);
  });

  it('retries a sync Redis refused at the next one', async () => {
    label += 1;
    const keyPrefix = `${prefix}${label}:`;
    const redis = createTestRedis({ keyPrefix, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    const { incr, count } = replica({ keyPrefix, redis, syncMs: 50 });
    await incr('a');
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    await incr('a'); // counted in memory; its sync fails while Redis is away
    await new Promise((resolve) => setTimeout(resolve, 150));
    await redis.connect();
    await vi.waitFor(async () => expect(await count('a')).toBe(2), { timeout: 3000, interval: 20 });
  });

  it('keeps the counts Redis could not take and sends them once it is back', async () => {
    label += 1;
    const keyPrefix = `${prefix}${label}:`;
    const redis = createTestRedis({ keyPrefix, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    const { Store, incr, count } = replica({ keyPrefix, redis });
    await incr('a', 8);
    await incr('a', 8);
    await incr('a', 8);
    await incr('a', 8); // 1 in Redis, 3 pending; the next one is past half the limit
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    await expect(incr('a', 8)).rejects.toThrow();
    await Store.flush();
    await redis.connect();
    await Store.flush();
    expect(await count('a')).toBe(4);
  });

  it('a route of its own gets the exact store, under its method and path', async () => {
    const { store, redis, calls } = replica();
    const child = store.child({ routeInfo: { method: 'POST', url: '/v1/login' } } as never);
    const incr = () =>
      new Promise<Answer>((resolve, reject) => {
        child.incr('a', (error, result) => (error || !result ? reject(error ?? new Error('no result')) : resolve(result)), 60_000, 5);
      });
    expect((await incr()).current).toBe(1);
    expect((await incr()).current).toBe(2);
    expect(await redis.get('rl:POST/v1/login-a')).toBe('2');
    // Past its limit the window neither restarts nor grows (no continueExceeding, no backoff).
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 5; i += 1) await incr();
    const past = await incr();
    expect(past.current).toBe(8);
    expect(past.ttl).toBeLessThanOrEqual(59_950);
    // The plugin's own store defines its command on the client: not the batched script.
    expect(calls).not.toHaveBeenCalled();
  });
});

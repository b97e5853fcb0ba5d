import { createRequire } from 'node:module';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RedisClient } from './redis.js';
import { redisScript } from './redis-script.js';

/**
 * What @fastify/rate-limit hands `child`: a route's limit merged over the global settings. Its
 * typings name it `RouteOptions`, but these are the fields it really carries.
 */
interface MergedRouteLimit {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  routeInfo: { method?: string; url?: string };
}

type RedisStoreConstructor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: RedisClient, key: string) => FastifyRateLimitStore;

// The plugin's own exact store, for the routes that set a limit of their own (login, register,
// refresh...): one Redis round trip per request, as the plugin does by default.
const RedisStore = createRequire(import.meta.url)('@fastify/rate-limit/store/RedisStore.js') as RedisStoreConstructor;

/** Adds `n` to a window's counter, opening the window if there is none: the count and the window's rest in ms. */
const addToWindow = redisScript<[number, number]>(`
local current = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {current, ttl}`);

export interface BatchedStoreOptions {
  redis: RedisClient;
  /** Key prefix of the counters (inside the client's own keyPrefix). */
  nameSpace: string;
  /** How often the counts made locally are added to Redis. */
  syncMs: number;
  /** Clients followed locally at once; beyond, a new client is counted in Redis request by request. */
  maxClients: number;
}

interface Bucket {
  /** This replica's view of the window's count: Redis's last answer plus what it counted since. */
  count: number;
  /** Counted here and not yet added in Redis. */
  pending: number;
  /** Epoch ms the window ends (from Redis's TTL). */
  resetAt: number;
  /** The window's length, for a counter Redis no longer has. */
  windowMs: number;
}

/**
 * The generic per-client limit, counted in Redis without a round trip per request. Each replica
 * counts a client locally while its view of the window is under half the limit, and adds those
 * counts to the shared counter in Redis every `syncMs` (one command per active client, not per
 * request), learning the others' counts in the answer. From half the limit on, and for a client
 * it has no window for, every request is counted in Redis at once, as before, so the refusal at
 * the limit stays exact.
 *
 * The trade-off: replicas see each other's counts up to `syncMs` late while under half the limit,
 * so a client can pass the limit only by sending more than half of it within `syncMs` across
 * several replicas, and then by at most half the limit per replica. A replica that closes sends
 * what is pending (`flush`, from the plugin's preClose hook); one that crashes loses at most
 * `syncMs` of counts. Routes with limits of their own (`child`) keep the plugin's exact Redis
 * store.
 */
export function batchedRedisStore(opts: BatchedStoreOptions): FastifyRateLimitStoreCtor & { flush(): Promise<void> } {
  const { redis, nameSpace, syncMs, maxClients } = opts;
  const buckets = new Map<string, Bucket>();
  /** The clients with counts to send: a sync visits these, not every client held. */
  const dirty = new Map<string, Bucket>();
  let timer: NodeJS.Timeout | undefined;
  let prunedAt = 0;

  const exact = (key: string, n: number, timeWindow: number) => addToWindow(redis, 1, nameSpace + key, n, timeWindow);

  /**
   * Adds the pending counts to Redis, forgetting clients whose window ended; settles when Redis
   * has answered them all.
   */
  function sync(): Promise<void> {
    // Stryker disable next-line CallExpression: a timer left running would only start a sync with nothing pending
    clearTimeout(timer);
    timer = undefined;
    const now = Date.now();
    // Stryker disable next-line ArrayDeclaration: Promise.all settles on a stray value as on none
    const sent: Promise<void>[] = [];
    const batch = [...dirty];
    // Stryker disable next-line CallExpression: kept entries have nothing pending, and are skipped
    dirty.clear();
    for (const [key, bucket] of batch) {
      // Stryker disable next-line EqualityOperator: the millisecond the window ends
      if (now >= bucket.resetAt) {
        // The window is over: what was counted in it no longer matters.
        if (buckets.get(key) === bucket) buckets.delete(key);
        continue;
      }
      const n = bucket.pending;
      if (n === 0) continue;
      bucket.pending = 0;
      sent.push(
        exact(key, n, bucket.windowMs).then(
          ([current, ttl]) => {
            bucket.count = current + bucket.pending;
            bucket.resetAt = Date.now() + ttl;
          },
          () => {
            // Redis is unreachable: keep the counts for the next round.
            bucket.pending += n;
            markDirty(key, bucket);
          },
        ),
      );
    }
    return Promise.all(sent).then(() => undefined);
  }

  /**
   * Whether one more client fits, after forgetting those whose window ended. At most one pass
   * per `syncMs`: a flood of new addresses must not buy a scan of every client each.
   */
  function room(now: number): boolean {
    if (buckets.size < maxClients) return true;
    // Stryker disable next-line EqualityOperator: the millisecond the pause ends
    if (now < prunedAt + syncMs) return false;
    prunedAt = now;
    for (const [key, bucket] of buckets) {
      // Stryker disable next-line EqualityOperator: the millisecond the window ends
      if (now >= bucket.resetAt) buckets.delete(key);
    }
    return buckets.size < maxClients;
  }

  function schedule(): void {
    timer ??= setTimeout(() => void sync(), syncMs).unref();
  }

  function markDirty(key: string, bucket: Bucket): void {
    dirty.set(key, bucket);
    schedule();
  }

  return class BatchedRedisStore implements FastifyRateLimitStore {
    /** Sends the pending counts now (on close, and in tests) instead of at the next sync. */
    static flush(): Promise<void> {
      return sync();
    }

    incr(key: string, cb: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number, max: number): void {
      const now = Date.now();
      const bucket = buckets.get(key);
      // Stryker disable next-line EqualityOperator: the millisecond the window ends
      if (bucket !== undefined && now < bucket.resetAt && bucket.count + 1 <= max / 2) {
        bucket.count += 1;
        bucket.pending += 1;
        markDirty(key, bucket);
        cb(null, { current: bucket.count, ttl: bucket.resetAt - now });
        return;
      }
      // Near the limit, in a new window or for a new client: this request and what is pending go
      // to Redis now, and its answer decides.
      // Stryker disable next-line EqualityOperator: the millisecond the window ends
      const live = bucket !== undefined && now < bucket.resetAt ? bucket : undefined;
      const n = (live?.pending ?? 0) + 1;
      if (live) live.pending = 0;
      exact(key, n, timeWindow).then(
        ([current, ttl]) => {
          const known = buckets.get(key);
          const at = Date.now();
          // Stryker disable next-line EqualityOperator: the millisecond the window ends
          if (known !== undefined && at < known.resetAt) {
            // What this replica counted while the answer travelled is not in `current` yet.
            known.count = Math.max(known.count, current + known.pending);
            known.resetAt = at + ttl;
          } else if (known !== undefined || room(at)) {
            buckets.set(key, { count: current, pending: 0, resetAt: at + ttl, windowMs: timeWindow });
          }
          cb(null, { current, ttl });
        },
        (error: unknown) => {
          // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: with nothing else pending this adds 0
          if (live && n > 1) {
            // Back to pending, for a sync (one may have run while this travelled).
            live.pending += n - 1;
            markDirty(key, live);
          }
          cb(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }

    child(routeOptions: object): FastifyRateLimitStore {
      const { continueExceeding = false, exponentialBackoff = false, routeInfo } = routeOptions as MergedRouteLimit;
      return new RedisStore(continueExceeding, exponentialBackoff, redis, `${nameSpace}${routeInfo.method ?? ''}${routeInfo.url ?? ''}-`);
    }
  };
}

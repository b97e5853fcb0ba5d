import { randomUUID } from 'node:crypto';
import { redisScript } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';

export interface StreamSlotsLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface StreamSlotsOptions {
  /** This service's client (its keyPrefix applies). */
  redis: RedisClient;
  maxPerUser: number;
  /** A slot not refreshed for this long is free again (its replica died). Default 60 s. */
  leaseMs?: number;
  log: StreamSlotsLogger;
}

export interface StreamSlots {
  /** A slot for one more stream of the user, or undefined when they hold the maximum. 503 when Redis is down. */
  acquire(userId: string): Promise<(() => void) | undefined>;
  /** Seconds after which a refused client may usefully retry (every stale slot has expired by then). */
  readonly retryAfterSec: number;
  close(): void;
}

/**
 * One sorted set per user, `sse-streams:{u:<userId>}`: member = stream id, score = when its lease
 * runs out, in Redis server time (replicas' clocks never decide whose slot is stale). Expired
 * members are dropped before counting, so slots left by a crashed replica free themselves.
 */
const ACQUIRE = redisScript<number>(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

/** Re-adds too (no XX): a slot lost while Redis restarted counts again once it is back. */
const REFRESH = redisScript<number>(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`);

const slotsKey = (userId: string) => `sse-streams:{u:${userId}}`;

/**
 * The per-user cap on open event streams, counted cluster-wide in Redis (a per-replica count
 * would allow the cap times the number of replicas, and grow with every scale-out). Each
 * replica refreshes the leases of its own streams in one loop (a third of the lease), never
 * per stream; a stream that ends gives its slot back at once.
 *
 * Failure behaviour: taking a slot fails closed (503), like the subscription a stream needs
 * anyway. A failed refresh or release is logged and heals by itself: a released slot whose ZREM
 * was lost expires with its lease; a slot whose refresh was lost is re-added by the next one.
 */
export function createStreamSlots(opts: StreamSlotsOptions): StreamSlots {
  const { redis, maxPerUser, log } = opts;
  const leaseMs = opts.leaseMs ?? 60_000;
  /** stream id → user id, for the refresh loop. */
  const held = new Map<string, string>();

  async function refresh(): Promise<void> {
    const results = await Promise.allSettled([...held].map(([id, userId]) => REFRESH(redis, 1, slotsKey(userId), leaseMs, id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) log.warn({ failed, held: held.size }, 'stream slot leases not refreshed; retrying next round');
  }
  const timer = setInterval(() => void refresh(), Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    retryAfterSec: Math.ceil(leaseMs / 1000),

    async acquire(userId) {
      const id = randomUUID();
      // A Redis failure propagates: the error handler answers 503 DEPENDENCY_UNAVAILABLE.
      const granted = await ACQUIRE(redis, 1, slotsKey(userId), maxPerUser, leaseMs, id);
      if (granted !== 1) return undefined;
      held.set(id, userId);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(id);
        redis.zrem(slotsKey(userId), id).catch((err: unknown) => log.warn({ err, userId }, 'stream slot not released; it expires with its lease'));
      };
    },

    close: () => clearInterval(timer),
  };
}

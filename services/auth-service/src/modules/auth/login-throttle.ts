import { createHash } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';

/**
 * Failed logins counted per identifier, whether or not an account exists, so the limit is no
 * oracle for which emails are registered. The identifier is hashed: no emails in Redis keys.
 */
export function createLoginThrottle(redis: RedisClient, opts: { max: number; windowSec: number; namespace?: string }) {
  const namespace = opts.namespace ?? 'login-fail';
  const key = (identifier: string) =>
    `${namespace}:${createHash('sha256').update(identifier.trim().toLowerCase()).digest('base64url')}`;
  return {
    /** Seconds until the identifier may try again, or 0 when it may try now. */
    async blockedFor(identifier: string): Promise<number> {
      const k = key(identifier);
      const [count, ttl] = await Promise.all([redis.get(k), redis.ttl(k)]);
      return Number(count ?? 0) >= opts.max ? Math.max(ttl, 1) : 0;
    },
    async recordFailure(identifier: string): Promise<void> {
      const k = key(identifier);
      const [[, count] = []] = (await redis.multi().incr(k).ttl(k).exec()) ?? [];
      // The window starts at the first failure; later failures do not extend it.
      if (count === 1 || (await redis.ttl(k)) < 0) await redis.expire(k, opts.windowSec);
    },
    async reset(identifier: string): Promise<void> {
      await redis.del(key(identifier));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

import { createHash } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';

export interface ThrottleState {
  /** Seconds until the identifier may try again, or 0 when it may try now. */
  blockedFor: number;
  /** Failures counted in the current window (0 when none: nothing to reset on success). */
  failures: number;
}

/**
 * Failed attempts counted per identifier, whether or not an account exists, so the limit is no
 * oracle for which emails are registered. The identifier is hashed: no emails in Redis keys.
 * On the login path this costs one round trip when there is no failure history: a GET.
 */
export function createLoginThrottle(redis: RedisClient, opts: { max: number; windowSec: number; namespace?: string }) {
  const namespace = opts.namespace ?? 'login-fail';
  const key = (identifier: string) =>
    `${namespace}:${createHash('sha256').update(identifier.trim().toLowerCase()).digest('base64url')}`;
  return {
    async check(identifier: string): Promise<ThrottleState> {
      const k = key(identifier);
      const failures = Number((await redis.get(k)) ?? 0);
      if (failures < opts.max) return { blockedFor: 0, failures };
      return { blockedFor: Math.max(await redis.ttl(k), 1), failures };
    },
    async recordFailure(identifier: string): Promise<void> {
      const k = key(identifier);
      // One round trip: the window starts at the first failure (NX) and later ones do not extend it.
      await redis.multi().set(k, '0', 'EX', opts.windowSec, 'NX').incr(k).exec();
    },
    /** After a success; pass what check() saw, so a clean history costs no extra command. */
    async reset(identifier: string, state: ThrottleState): Promise<void> {
      if (state.failures > 0) await redis.del(key(identifier));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

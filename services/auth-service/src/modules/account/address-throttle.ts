import { createHash } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';

/**
 * Account mails per address and window (password reset, verification resend), counted whether
 * or not an account has the address, so the limit says nothing about which emails exist. It
 * protects inboxes from being flooded through us. Addresses are hashed: no emails in Redis keys.
 */
export function createAddressThrottle(redis: RedisClient, opts: { max: number; windowSec: number }) {
  const key = (address: string) => `mail-addr:${createHash('sha256').update(address.trim().toLowerCase()).digest('base64url')}`;
  return {
    /** Counts one mail for the address; returns seconds to wait when over the limit, else 0. */
    async hit(address: string): Promise<number> {
      const k = key(address);
      const [[, count] = [], [, ttl] = []] = (await redis.multi().incr(k).ttl(k).exec()) ?? [];
      // The window starts at the first mail; later ones do not extend it.
      if (count === 1 || ttl === -1) await redis.expire(k, opts.windowSec);
      return Number(count) > opts.max ? Math.max(Number(ttl), 1) : 0;
    },
  };
}

export type AddressThrottle = ReturnType<typeof createAddressThrottle>;

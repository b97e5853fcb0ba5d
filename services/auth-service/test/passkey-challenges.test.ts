import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';
import { createTestRedis, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createPasskeyChallenges } from '../src/modules/passkeys/passkey-challenges.js';

// WebAuthn challenges on their own, against the real Redis: each is taken once. The ceremonies
// that use them: passkeys.test.ts and passkeys-webauthn.test.ts.
const redis: RedisClient = createTestRedis({ keyPrefix: uniqueRedisPrefix('wa') });
afterAll(() => redis.disconnect());
const challenges = createPasskeyChallenges(redis, 120);

describe('passkey challenges', () => {
  it('a registration challenge is the user’s, taken once, and lives for the TTL', async () => {
    const [userId, other] = [randomUUID(), randomUUID()];
    await challenges.saveRegistration(userId, 'challenge-1');
    const ttl = await redis.ttl(`wa:reg:{u:${userId}}`);
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await challenges.takeRegistration(other)).toBeNull();
    expect(await challenges.takeRegistration(userId)).toBe('challenge-1');
    expect(await challenges.takeRegistration(userId)).toBeNull();
  });

  it('a newer registration challenge replaces the older one', async () => {
    const userId = randomUUID();
    await challenges.saveRegistration(userId, 'old');
    await challenges.saveRegistration(userId, 'new');
    expect(await challenges.takeRegistration(userId)).toBe('new');
  });

  it('a login challenge is found by its random id, once, bound to the user it was started for', async () => {
    const userId = randomUUID();
    const id = await challenges.saveLogin({ challenge: 'c-1', userId });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const open = await challenges.saveLogin({ challenge: 'c-2', userId: null });
    expect(open).not.toBe(id);
    const ttl = await redis.ttl(`wa:login:${id}`);
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await challenges.takeLogin(id)).toEqual({ challenge: 'c-1', userId });
    expect(await challenges.takeLogin(id)).toBeUndefined();
    expect(await challenges.takeLogin(open)).toEqual({ challenge: 'c-2', userId: null });
    expect(await challenges.takeLogin(randomUUID())).toBeUndefined();
  });

  it('only a UUID names a login challenge', async () => {
    const id = await challenges.saveLogin({ challenge: 'c', userId: null });
    // Keys under names that are not a lower-case UUID are never read.
    for (const name of ['*', `${id}x`, `x${id}`, id.toUpperCase(), id.replaceAll('-', ''), '']) {
      await redis.set(`wa:login:${name}`, JSON.stringify({ challenge: 'planted', userId: null }));
      expect(await challenges.takeLogin(name), name).toBeUndefined();
    }
    expect(await challenges.takeLogin(id)).toEqual({ challenge: 'c', userId: null });
  });
});

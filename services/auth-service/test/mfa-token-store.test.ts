import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';
import { createTestRedis, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createMfaTokenStore } from '../src/modules/auth/authentication.js';

// The second login step's token on its own, against the real Redis. Through the routes:
// mfa.test.ts and mfa-limits.test.ts.
const redis: RedisClient = createTestRedis({ keyPrefix: uniqueRedisPrefix('mfa') });
afterAll(() => redis.disconnect());
const store = createMfaTokenStore(redis, { ttlSec: 300, maxAttempts: 3 });
const keyOf = (userId: string, token: string) => `mfa:{u:${userId}}:${createHash('sha256').update(token).digest('base64url')}`;

describe('mfaToken store', () => {
  it('issues user id ‖ 256 random bits; Redis keeps only its hash, with the first factor, for the TTL', async () => {
    const userId = randomUUID();
    const token = await store.issue(userId, 'pwd');
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(token, 'base64url').subarray(0, 16).toString('hex')).toBe(userId.replaceAll('-', ''));
    expect(await store.issue(userId, 'pwd')).not.toBe(token);
    expect(await redis.hgetall(keyOf(userId, token))).toEqual({ ff: 'pwd', f: '0' });
    const ttl = await redis.ttl(keyOf(userId, token));
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await store.find(token)).toEqual({ userId, firstFactor: 'pwd' });
  });

  it('remembers a federated first factor', async () => {
    const userId = randomUUID();
    expect(await store.find(await store.issue(userId, 'fed'))).toEqual({ userId, firstFactor: 'fed' });
  });

  it('refuses to issue for an id that is not a UUID', async () => {
    await expect(store.issue('not-a-uuid', 'pwd')).rejects.toThrow(/not a UUID/);
  });

  it('is taken once', async () => {
    const token = await store.issue(randomUUID(), 'pwd');
    expect(await store.take(token)).toBe(true);
    expect(await store.take(token)).toBe(false);
    expect(await store.find(token)).toBeUndefined();
  });

  it('dies at the maximum of wrong codes', async () => {
    const token = await store.issue(randomUUID(), 'pwd');
    await store.fail(token);
    await store.fail(token);
    expect(await store.find(token)).toBeDefined();
    await store.fail(token);
    expect(await store.find(token)).toBeUndefined();
    expect(await store.take(token)).toBe(false);
  });

  it('malformed and unknown tokens are nothing: not found, not taken, failing them is harmless', async () => {
    const token = await store.issue(randomUUID(), 'pwd');
    const raw = Buffer.from(token, 'base64url');
    raw[47] = (raw[47] ?? 0) ^ 1;
    const unknown = raw.toString('base64url');
    for (const t of ['', 'short', `${token}A`, token.slice(1), unknown]) {
      expect(await store.find(t), t).toBeUndefined();
      expect(await store.take(t), t).toBe(false);
      await store.fail(t);
    }
    expect(await store.find(token)).toBeDefined();
  });
});

import { randomUUID } from 'node:crypto';
import { startPrivateRedis } from '@authmeet/test-kit';
import type { PrivateRedis } from '@authmeet/test-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionsRepository, sessionKey } from '../../src/modules/sessions/sessions.repository.js';
import { bearer, expectProblem, registerAndLogin } from '../factories.js';
import type { TokensBody } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * A frozen Redis (SIGSTOP: connections stay open, nothing is answered) on a server of this
 * test's own. Commands the client gave up on run when it resumes; none of them may change a
 * session behind the 503 the client got. The grace is off, so only that can save the retry.
 */
let redis: PrivateRedis;
let ctx: TestContext;
let probe: Redis;
beforeAll(async () => {
  redis = await startPrivateRedis();
  ctx = await startAuthService({ REDIS_URL: redis.url, REFRESH_REUSE_GRACE: '0s' });
  probe = new Redis(redis.url, { keyPrefix: ctx.config.redis.keyPrefix, maxRetriesPerRequest: null });
});
afterAll(async () => {
  probe?.disconnect();
  await ctx?.close();
  await redis?.stop();
});

async function frozenWhile<T>(work: () => Promise<T>): Promise<T> {
  redis.freeze();
  try {
    return await work();
  } finally {
    redis.thaw();
    // Whatever the frozen server received has run once it answers a command sent after it.
    await probe.ping();
  }
}

describe('Redis frozen during a refresh', () => {
  it('answers 503, and the retry with the same token succeeds after Redis resumes', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const failed = await frozenWhile(() => ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } }));
    expectProblem(failed, 503, 'DEPENDENCY_UNAVAILABLE');

    const retry = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(retry.statusCode, retry.body).toBe(200);
    const next = retry.json() as TokensBody;
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(next.accessToken) })).statusCode).toBe(200);
  });
});

describe('a rotation that Redis runs after its deadline', () => {
  it('changes nothing, while the same rotation sent without a deadline would take effect', async () => {
    const prefix = `${ctx.config.redis.keyPrefix}deadline:`;
    const client = new Redis(redis.url, { keyPrefix: prefix, commandTimeout: 300, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    const raw = new Redis(redis.url, { keyPrefix: prefix });
    try {
      await client.connect();
      const repo = createSessionsRepository(client, { keyPrefix: prefix, revocationTtlSec: 60 });
      const [userId, sessionId, now] = [randomUUID(), randomUUID(), Date.now()];
      const [first, second, third] = ['a', 'b', 'c'].map((c) => c.repeat(64));
      await repo.create({ id: sessionId, userId, refreshHash: String(first), salt: 'salt', now, expiresAt: now + 60_000, absoluteExpiresAt: now + 120_000, ip: '', userAgent: '', authn: { amr: ['pwd'], acr: 'aal1', authTime: now } });
      const rotation = (presentedHash: string, successorHash: string, budgetMs: number) => async () => {
        const { redisNow } = await repo.rotationContext(userId, sessionId);
        const input = { userId, sessionId, presentedHash, successorHash, salt: 'salt', now, refreshTtlMs: 60_000, graceMs: 0, deadline: redisNow + budgetMs };
        await frozenWhile(async () => {
          await expect(repo.rotate(input)).rejects.toThrow(/timed out/i);
        });
      };

      // The rotations below reach Redis as EVALSHA: one this server has not cached yet would answer
      // NOSCRIPT once it resumes and run nothing, whatever the deadline. A refused rotation (an
      // unknown token: no change) caches it, so the late runs are the script's own doing.
      await expect(repo.rotate({ userId, sessionId, presentedHash: 'd'.repeat(64), successorHash: 'e'.repeat(64), salt: 'salt', now, refreshTtlMs: 60_000, graceMs: 0, deadline: Date.now() + 60_000 })).resolves.toEqual({ status: 'invalid' });

      await rotation(String(first), String(second), 100)();
      expect(await raw.hget(sessionKey(userId, sessionId), 'rh')).toBe(first);

      // Control: with a deadline far away, the very same late execution does rotate.
      await rotation(String(first), String(third), 60_000)();
      expect(await raw.hget(sessionKey(userId, sessionId), 'rh')).toBe(third);
    } finally {
      client.disconnect();
      raw.disconnect();
    }
  });
});

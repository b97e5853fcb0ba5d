import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';
import { createTestRedis, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import type { Authentication } from '../src/modules/auth/authentication.js';
import { hashRefreshToken } from '../src/modules/sessions/refresh-token.js';
import { createSessionsRepository } from '../src/modules/sessions/sessions.repository.js';
import type { NewSession, RotateInput } from '../src/modules/sessions/sessions.repository.js';

// The session store on its own, against the real Redis (its scripts run there): what a refresh,
// a revocation and a token check decide. The routes on top: tokens.test.ts, sessions.test.ts,
// test/security/refresh-grace.test.ts and test/reliability/.
const keyPrefix = uniqueRedisPrefix('sess');
const redis: RedisClient = createTestRedis({ keyPrefix });
afterAll(() => redis.disconnect());
const repo = createSessionsRepository(redis, { keyPrefix, revocationTtlSec: 900 });

const HOUR = 3_600_000;
const pwd: Authentication = { amr: ['pwd'], acr: 'aal1', authTime: 0 };
const hash = (label: string) => hashRefreshToken(`${label}-${randomUUID()}`);

async function session(overrides: Partial<NewSession> = {}): Promise<NewSession> {
  const now = Date.now();
  const s: NewSession = {
    id: randomUUID(),
    userId: randomUUID(),
    refreshHash: hash('rt'),
    salt: 'salt-1',
    now,
    expiresAt: now + HOUR,
    absoluteExpiresAt: now + 24 * HOUR,
    ip: '198.51.100.4',
    userAgent: 'Browser/1.0',
    authn: pwd,
    ...overrides,
  };
  await repo.create(s);
  return s;
}

/** A rotation of `s`'s current token at `now`, with generous deadline and grace unless told. */
const rotation = (s: NewSession, presentedHash: string, successorHash: string, over: Partial<RotateInput> = {}): RotateInput => ({
  userId: s.userId,
  sessionId: s.id,
  presentedHash,
  successorHash,
  salt: s.salt,
  now: Date.now(),
  refreshTtlMs: HOUR,
  graceMs: 10_000,
  deadline: Date.now() + 60_000,
  ...over,
});

describe('sessions repository', () => {
  it('creates a session the store finds, indexed by its sliding expiry, the index living as long as the absolute one', async () => {
    const s = await session();
    expect(await repo.find(s.userId, s.id)).toEqual({
      id: s.id,
      userId: s.userId,
      createdAt: s.now,
      lastUsedAt: s.now,
      expiresAt: s.expiresAt,
      absoluteExpiresAt: s.absoluteExpiresAt,
      ip: '198.51.100.4',
      userAgent: 'Browser/1.0',
      authn: { amr: ['pwd'], acr: 'aal1', authTime: s.now },
    });
    expect(await repo.exists(s.userId, s.id)).toBe(true);
    expect(Number(await redis.zscore(`sessions:{u:${s.userId}}`, s.id))).toBe(s.expiresAt);
    const indexTtl = await redis.pttl(`sessions:{u:${s.userId}}`);
    expect(indexTtl).toBeGreaterThan(23 * HOUR);
    const sessionTtl = await redis.pttl(`sess:{u:${s.userId}}:${s.id}`);
    expect(sessionTtl).toBeGreaterThan(HOUR - 60_000);
    expect(sessionTtl).toBeLessThanOrEqual(HOUR);
    // A password login stores no methods (the default), any other login its methods.
    expect(await redis.hget(`sess:{u:${s.userId}}:${s.id}`, 'am')).toBeNull();
  });

  it.each<[string[], 'aal1' | 'aal2']>([
    [['pwd', 'otp', 'mfa'], 'aal2'],
    [['hwk'], 'aal2'],
    [['fed'], 'aal1'],
  ])('keeps the login’s methods %j, of assurance %s', async (amr, acr) => {
    const s = await session({ authn: { amr, acr: 'aal1', authTime: 0 } });
    expect((await repo.find(s.userId, s.id))?.authn).toEqual({ amr, acr, authTime: s.now });
    const next = hash('next');
    const rotated = await repo.rotate(rotation(s, s.refreshHash, next));
    expect(rotated.status === 'ok' && rotated.session.authn).toEqual({ amr, acr, authTime: s.now });
  });

  it('a session stored without device data reads as empty ip and user agent', async () => {
    const s = await session();
    await redis.hdel(`sess:{u:${s.userId}}:${s.id}`, 'ip', 'ua');
    expect(await repo.find(s.userId, s.id)).toMatchObject({ ip: '', userAgent: '' });
  });

  it('an unknown session is not found, does not exist and has no rotation context', async () => {
    const [userId, id] = [randomUUID(), randomUUID()];
    expect(await repo.find(userId, id)).toBeUndefined();
    expect(await repo.exists(userId, id)).toBe(false);
    const context = await repo.rotationContext(userId, id);
    expect(context).toMatchObject({ exists: false, salt: undefined });
  });

  it('the rotation context carries the salt and Redis’s clock', async () => {
    const s = await session();
    const before = Date.now();
    const context = await repo.rotationContext(s.userId, s.id);
    expect(context).toMatchObject({ exists: true, salt: 'salt-1' });
    expect(Math.abs(context.redisNow - before)).toBeLessThan(5_000);
    expect(context.receivedAt).toBeGreaterThanOrEqual(before);
    expect(context.receivedAt).toBeLessThanOrEqual(Date.now());
    await redis.hdel(`sess:{u:${s.userId}}:${s.id}`, 'sk');
    expect((await repo.rotationContext(s.userId, s.id)).salt).toBeUndefined();
  });

  describe('rotate', () => {
    it('the current token rotates: the successor becomes current, last use and expiry slide, capped by the absolute expiry', async () => {
      const s = await session({ absoluteExpiresAt: Date.now() + 2 * HOUR });
      const next = hash('next');
      const now = Date.now() + 1000;
      const result = await repo.rotate(rotation(s, s.refreshHash, next, { now }));
      expect(result).toEqual({
        status: 'ok',
        session: {
          id: s.id,
          userId: s.userId,
          createdAt: s.now,
          lastUsedAt: now,
          expiresAt: now + HOUR,
          absoluteExpiresAt: s.absoluteExpiresAt,
          ip: '198.51.100.4',
          userAgent: 'Browser/1.0',
          authn: { amr: ['pwd'], acr: 'aal1', authTime: s.now },
        },
      });
      expect((await repo.find(s.userId, s.id))?.lastUsedAt).toBe(now);
      // Past the absolute expiry's reach, the sliding one stops there.
      const later = await repo.rotate(rotation(s, next, hash('n2'), { now: now + 1000, refreshTtlMs: 10 * HOUR }));
      expect(later.status === 'ok' && later.session.expiresAt).toBe(s.absoluteExpiresAt);
    });

    it('a token we never issued for the session is invalid, and the session lives on', async () => {
      const s = await session();
      expect(await repo.rotate(rotation(s, hash('forged'), hash('x')))).toEqual({ status: 'invalid' });
      expect(await repo.exists(s.userId, s.id)).toBe(true);
      expect((await repo.rotate(rotation(s, s.refreshHash, hash('next')))).status).toBe('ok');
    });

    it('a gone session is invalid', async () => {
      const s = await session();
      await repo.revoke(s.userId, [s.id]);
      expect(await repo.rotate(rotation(s, s.refreshHash, hash('next')))).toEqual({ status: 'invalid' });
    });

    it('within the grace, the token rotated last gets the current successor, and only that one', async () => {
      const s = await session();
      const next = hash('next');
      expect((await repo.rotate(rotation(s, s.refreshHash, next))).status).toBe('ok');
      const again = await repo.rotate(rotation(s, s.refreshHash, next));
      expect(again.status).toBe('ok');
      expect(await repo.rotate(rotation(s, s.refreshHash, hash('other successor')))).toEqual({ status: 'invalid' });
      expect(await repo.exists(s.userId, s.id)).toBe(true);
    });

    it('after the grace, the rotated token is reuse: the session and its index entry are gone', async () => {
      const s = await session();
      const next = hash('next');
      const t0 = Date.now();
      expect((await repo.rotate(rotation(s, s.refreshHash, next, { now: t0 }))).status).toBe('ok');
      expect(await repo.rotate(rotation(s, s.refreshHash, next, { now: t0 + 10_001 }))).toEqual({ status: 'reused' });
      expect(await repo.exists(s.userId, s.id)).toBe(false);
      expect(await redis.zscore(`sessions:{u:${s.userId}}`, s.id)).toBeNull();
    });

    it('a token two rotations old is reuse even within the grace', async () => {
      const s = await session();
      const [second, third] = [hash('2'), hash('3')];
      expect((await repo.rotate(rotation(s, s.refreshHash, second))).status).toBe('ok');
      expect((await repo.rotate(rotation(s, second, third))).status).toBe('ok');
      expect(await repo.rotate(rotation(s, s.refreshHash, second))).toEqual({ status: 'reused' });
    });

    it('after its deadline (on Redis’s clock) nothing changes: late', async () => {
      const s = await session();
      expect(await repo.rotate(rotation(s, s.refreshHash, hash('next'), { deadline: Date.now() - 5_000 }))).toEqual({ status: 'late' });
      expect((await repo.rotate(rotation(s, s.refreshHash, hash('next')))).status).toBe('ok');
    });

    it('a successor derived with another salt is refused with the session’s salt, and nothing changes', async () => {
      const s = await session();
      expect(await repo.rotate(rotation(s, s.refreshHash, hash('next'), { salt: 'stale salt' }))).toEqual({ status: 'salt', salt: 'salt-1' });
      expect((await repo.rotate(rotation(s, s.refreshHash, hash('next')))).status).toBe('ok');
    });

    it('a session past its absolute expiry does not rotate', async () => {
      const now = Date.now();
      const s = await session({ now: now - 2 * HOUR, expiresAt: now + HOUR, absoluteExpiresAt: now - 1 });
      expect(await repo.rotate(rotation(s, s.refreshHash, hash('next'), { now }))).toEqual({ status: 'invalid' });
    });
  });

  describe('token checks', () => {
    it('a token of a live session is not revoked; of a gone one it is', async () => {
      const s = await session();
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id })).toBe(false);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: randomUUID() })).toBe(true);
      await repo.revoke(s.userId, [s.id]);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id })).toBe(true);
    });

    it('the not-before marker refuses tokens issued before it, not at or after it', async () => {
      const s = await session();
      expect(await repo.notBefore(s.userId)).toBe(0);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id, iat: 1_000 })).toBe(false);
      await repo.setNotBefore(s.userId, 2_000);
      expect(await repo.notBefore(s.userId)).toBe(2_000);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id, iat: 1_999 })).toBe(true);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id, iat: 2_000 })).toBe(false);
      expect(await repo.isTokenRevoked({ sub: s.userId, sid: s.id, iat: 2_001 })).toBe(false);
      expect(await redis.ttl(`nbf:{u:${s.userId}}`)).toBeGreaterThan(800);
      // A new session answers the marker as read after it was written (no round trip of its own).
      expect(await repo.create({ ...s, id: randomUUID() })).toEqual({ notBefore: 2_000 });
      expect(await repo.create({ ...s, id: randomUUID(), userId: randomUUID() })).toEqual({ notBefore: 0 });
    });
  });

  describe('listing and revocation', () => {
    it('lists live sessions, most recently used first, and drops expired index entries', async () => {
      const userId = randomUUID();
      const now = Date.now();
      const a = await session({ userId, now: now - 3000, expiresAt: now + 3 * HOUR });
      const b = await session({ userId, now: now - 2000, expiresAt: now + 1 * HOUR });
      const c = await session({ userId, now: now - 1000, expiresAt: now + 2 * HOUR });
      // a used last, then c, then b: neither the creation nor the expiry order.
      expect((await repo.rotate(rotation(a, a.refreshHash, hash('a2'), { now: now + 500, refreshTtlMs: 3 * HOUR }))).status).toBe('ok');
      expect((await repo.list(userId, now)).map((s) => s.id)).toEqual([a.id, c.id, b.id]);
      expect((await repo.listIds(userId, now)).sort()).toEqual([a.id, b.id, c.id].sort());
      // Past b's expiry: b is neither listed nor kept in the index.
      expect((await repo.listIds(userId, now + 1.5 * HOUR)).sort()).toEqual([a.id, c.id].sort());
      expect((await repo.list(userId, now + 1.5 * HOUR)).map((s) => s.id)).toEqual([a.id, c.id]);
      expect(await redis.zscore(`sessions:{u:${userId}}`, b.id)).toBeNull();
    });

    it('a new session drops index entries that expired before it', async () => {
      const userId = randomUUID();
      const now = Date.now();
      const old = await session({ userId, now: now - 2 * HOUR, expiresAt: now - HOUR });
      await session({ userId, now });
      expect(await redis.zscore(`sessions:{u:${userId}}`, old.id)).toBeNull();
    });

    it('a user without sessions lists none; an indexed session whose hash is gone or damaged is skipped', async () => {
      expect(await repo.list(randomUUID(), Date.now())).toEqual([]);
      const userId = randomUUID();
      const kept = await session({ userId });
      const gone = await session({ userId });
      const damaged = await session({ userId });
      await redis.del(`sess:{u:${userId}}:${gone.id}`);
      await redis.del(`sess:{u:${userId}}:${damaged.id}`);
      await redis.set(`sess:{u:${userId}}:${damaged.id}`, 'not a hash');
      expect((await repo.list(userId, Date.now())).map((s) => s.id)).toEqual([kept.id]);
    });

    it('revoke ends the given sessions only, marks them revoked for other services, and takes nothing for no sessions', async () => {
      const userId = randomUUID();
      const [a, b] = [await session({ userId }), await session({ userId })];
      await repo.revoke(userId, []);
      await repo.revoke(userId, [a.id]);
      expect(await repo.exists(userId, a.id)).toBe(false);
      expect(await repo.exists(userId, b.id)).toBe(true);
      expect(await repo.listIds(userId, Date.now())).toEqual([b.id]);
      expect(await redis.ttl(`revoked:{u:${userId}}:${a.id}`)).toBeGreaterThan(800);
      expect(await redis.exists(`revoked:{u:${userId}}:${b.id}`)).toBe(0);
    });
  });
});

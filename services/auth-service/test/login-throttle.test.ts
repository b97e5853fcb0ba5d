import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import { createTestRedis, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../src/modules/passwords/login-throttle.js';
import type { LoginThrottleConfig, ThrottleSubject } from '../src/modules/passwords/login-throttle.js';

// The brute-force throttle on its own, against the real Redis (its scripts run there). The
// login, password-change and MFA routes that use it: rate-limit.test.ts, mfa-limits.test.ts and
// test/security/*throttle*, *guesses*, *lock-out*.
const redis: RedisClient = createTestRedis({ keyPrefix: uniqueRedisPrefix('bf') });
afterAll(() => redis.disconnect());

const defaults: LoginThrottleConfig = {
  ipMax: 3,
  windowSec: 60,
  accountFreeFailures: 100,
  cleanIpAttempts: 0,
  maxDelaySec: 60,
  maxWaitMs: 0,
  trustedTtlSec: 600,
};
const throttle = (config: Partial<LoginThrottleConfig> = {}) => createLoginThrottle(redis, { ...defaults, ...config });
type Throttle = ReturnType<typeof throttle>;

const user = (): ThrottleSubject => ({ userId: randomUUID() });
const sha = (v: string) => createHash('sha256').update(v).digest('base64url').slice(0, 22);
let ipCounter = 0;
const newIp = () => `203.0.113.${(ipCounter += 1)}`;

/** 'wrong' or 'right' when the check ran, the error code when the throttle refused it. */
async function attempt(t: Throttle, subject: ThrottleSubject, ip: string, ok = false, opts: { firstFactorOnly?: boolean } = {}) {
  let ran = false;
  try {
    await t.guard(
      subject,
      ip,
      async () => {
        ran = true;
        return { ok };
      },
      opts,
    );
    return ok ? 'right' : 'wrong';
  } catch (error) {
    expect(ran).toBe(false);
    if (!(error instanceof AppError)) throw error;
    return error;
  }
}
const refused = (r: unknown) => (r instanceof AppError ? r.code : r);

describe('login throttle', () => {
  it('caps wrong passwords per IP and account, refuses before the check runs, and says when to retry', async () => {
    const t = throttle();
    const [subject, other] = [user(), user()];
    const ip = newIp();
    for (let i = 0; i < 3; i += 1) expect(await attempt(t, subject, ip)).toBe('wrong');
    const error = await attempt(t, subject, ip, true);
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect([e.code, e.status]).toEqual(['RATE_LIMITED', 429]);
    expect(e.detail).toMatch(/wrong passwords/);
    // The window (60 s) from the first failure.
    expect(e.retryAfter).toBeGreaterThanOrEqual(55);
    expect(e.retryAfter).toBeLessThanOrEqual(60);
    // Another IP on the account, and this IP on another account, are not refused.
    expect(await attempt(t, subject, newIp())).toBe('wrong');
    expect(await attempt(t, other, ip)).toBe('wrong');
  });

  it('a right password forgives that IP’s failures; a wrong one stays counted', async () => {
    const t = throttle();
    const subject = user();
    const ip = newIp();
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(await attempt(t, subject, ip, true)).toBe('right');
    for (let i = 0; i < 3; i += 1) expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(refused(await attempt(t, subject, ip, true))).toBe('RATE_LIMITED');
  });

  it('with firstFactorOnly, a right password is refunded but forgives nothing', async () => {
    const t = throttle();
    const subject = user();
    const ip = newIp();
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(await attempt(t, subject, ip, true, { firstFactorOnly: true })).toBe('right');
    // Refunded: it did not count as a third failure...
    expect(await attempt(t, subject, ip)).toBe('wrong');
    // ...and the two before it still count.
    expect(refused(await attempt(t, subject, ip, true))).toBe('RATE_LIMITED');
  });

  it('a check that throws is refunded, and its error is what the caller sees', async () => {
    const t = throttle({ ipMax: 1 });
    const subject = user();
    const ip = newIp();
    const failure = new Error('hasher queue full');
    await expect(t.guard(subject, ip, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(refused(await attempt(t, subject, ip))).toBe('RATE_LIMITED');
  });

  it('a slowed account admits one guess per slot and holds a request for its slot', async () => {
    const t = throttle({ ipMax: 100, accountFreeFailures: 1, maxWaitMs: 5000 });
    const subject = user();
    expect(await attempt(t, subject, newIp())).toBe('wrong'); // free
    expect(await attempt(t, subject, newIp())).toBe('wrong'); // first slot, now; the next is 1 s later
    const started = Date.now();
    expect(await attempt(t, subject, newIp())).toBe('wrong');
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });

  it('a slot further off than maxWait is a 429; an IP that logged in is trusted past it', async () => {
    const t = throttle({ ipMax: 100, accountFreeFailures: 1 });
    const subject = user();
    const owner = newIp();
    expect(await attempt(t, subject, owner, true)).toBe('right');
    expect(await attempt(t, subject, newIp())).toBe('wrong'); // free
    expect(await attempt(t, subject, newIp())).toBe('wrong'); // the slot of now
    const error = await attempt(t, subject, newIp());
    expect(refused(error)).toBe('RATE_LIMITED');
    expect((error as AppError).retryAfter).toBe(1);
    expect(await attempt(t, subject, owner, true)).toBe('right');
    expect(await attempt(t, subject, owner)).toBe('wrong');
  });

  it('a password reset clears the failures', async () => {
    const t = throttle({ ipMax: 2 });
    const subject = user();
    const ip = newIp();
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(await attempt(t, subject, ip)).toBe('wrong');
    expect(refused(await attempt(t, subject, ip))).toBe('RATE_LIMITED');
    await t.clear(subject);
    expect(await attempt(t, subject, ip, true)).toBe('right');
  });

  it('unknown identifiers share a throttle by their trimmed, lower-cased hash; Redis holds hashes, not emails or IPs', async () => {
    const t = throttle({ ipMax: 2 });
    const email = `Ghost.${randomUUID()}@Example.com`;
    const ip = newIp();
    expect(await attempt(t, { identifier: ` ${email} ` }, ip)).toBe('wrong');
    expect(await attempt(t, { identifier: email.toUpperCase() }, ip)).toBe('wrong');
    expect(refused(await attempt(t, { identifier: email.toLowerCase() }, ip))).toBe('RATE_LIMITED');
    const key = `bf:{i:${sha(email.toLowerCase())}}:f`;
    expect(await redis.hkeys(key)).toContain(`ip:${sha(ip)}`);
    expect((await redis.hkeys(key)).join()).not.toContain(ip);
  });

  it('an account’s keys carry its hash tag; a login trusts the IP by its hash', async () => {
    const t = throttle();
    const userId = randomUUID();
    const ip = newIp();
    expect(await attempt(t, { userId }, ip)).toBe('wrong');
    expect(await redis.hkeys(`bf:{u:${userId}}:f`)).toContain(`ip:${sha(ip)}`);
    expect(await attempt(t, { userId }, ip, true)).toBe('right');
    expect(await redis.zrange(`bf:{u:${userId}}:t`, '0', '-1')).toEqual([sha(ip)]);
    // Trusted for trustedTtlSec (600 s).
    const ttl = await redis.pttl(`bf:{u:${userId}}:t`);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  describe('under a one-time pass (the second login step under its mfaToken)', () => {
    /** A pass in the account's hash slot, as the mfaToken store writes one. */
    async function pass(subject: { userId: string }) {
      const key = `mfa:{u:${subject.userId}}:${randomUUID()}`;
      await redis.hset(key, { ff: 'pwd', f: 0 });
      return { key, field: 'ff' };
    }
    const underPass = (t: Throttle, subject: { userId: string }, ip: string, p: { key: string; field: string }, ok: boolean) =>
      t.guardUnderPass(subject, ip, p, async (value) => ({ ok, value }));

    it('reads the pass with the reservation; a right answer takes it, once', async () => {
      const t = throttle();
      const subject = { userId: randomUUID() };
      const ip = newIp();
      const p = await pass(subject);
      expect(await underPass(t, subject, ip, p, true)).toEqual({ status: 'checked', value: 'pwd', result: { ok: true, value: 'pwd' }, taken: true });
      expect(await redis.exists(p.key)).toBe(0);
      // Gone: refused before anything is counted (ipMax 3: four more would be refused otherwise).
      for (let i = 0; i < 4; i += 1) expect(await underPass(t, subject, ip, p, false)).toEqual({ status: 'no_pass' });
      expect(await attempt(t, subject, ip)).toBe('wrong');
    });

    it('of two right answers at once, one takes the pass', async () => {
      const t = throttle();
      const subject = { userId: randomUUID() };
      const p = await pass(subject);
      // Both are checked before either settles.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const both = [0, 1].map(() => t.guardUnderPass(subject, newIp(), p, async () => (await gate, { ok: true })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      const results = await Promise.all(both);
      expect(results.map((r) => r.status)).toEqual(['checked', 'checked']);
      expect(results.map((r) => r.status === 'checked' && r.taken).sort()).toEqual([false, true]);
    });

    it('a wrong answer stays counted and leaves the pass; one that throws is refunded and leaves it too', async () => {
      const t = throttle();
      const subject = { userId: randomUUID() };
      const ip = newIp();
      const p = await pass(subject);
      const failure = new Error('Postgres is down');
      await expect(t.guardUnderPass(subject, ip, p, () => Promise.reject(failure))).rejects.toBe(failure);
      for (let i = 0; i < 3; i += 1) expect(await underPass(t, subject, ip, p, false)).toMatchObject({ status: 'checked', taken: false });
      expect(await redis.hgetall(p.key)).toEqual({ ff: 'pwd', f: '0' });
      expect(refused(await attempt(t, subject, ip, true))).toBe('RATE_LIMITED');
      await expect(underPass(t, subject, ip, p, true)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(await redis.exists(p.key)).toBe(1);
    });

    it('a right answer forgives that IP’s failures and trusts it, as a right password does', async () => {
      const t = throttle();
      const subject = { userId: randomUUID() };
      const ip = newIp();
      expect(await attempt(t, subject, ip)).toBe('wrong');
      expect(await attempt(t, subject, ip)).toBe('wrong');
      expect(await underPass(t, subject, ip, await pass(subject), true)).toMatchObject({ taken: true });
      for (let i = 0; i < 3; i += 1) expect(await attempt(t, subject, ip)).toBe('wrong');
      expect(await redis.zscore(`bf:{u:${subject.userId}}:t`, sha(ip))).not.toBeNull();
    });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import { createTestDatabase, createTestRedis, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { hashRecoveryCode, newTotpSecret } from '../src/modules/mfa/codes.js';
import { createMfaRepository } from '../src/modules/mfa/mfa.repository.js';
import { createSecondFactor } from '../src/modules/mfa/second-factor.js';
import { createSecretBox } from '../src/modules/mfa/secret-box.js';
import { createLoginThrottle } from '../src/modules/passwords/login-throttle.js';
import { createPrismaClient } from '../src/plugins/prisma.js';
import { totp } from './mfa-kit.js';
import { migrationsDir } from './migrations-dir.js';

// Second-factor checks on their own, against the real Postgres (the replay guard is a
// conditional UPDATE) and Redis (the throttle). The routes that use them: mfa.test.ts.
let db: TestDatabase;
let prisma: PrismaClient;
const redis: RedisClient = createTestRedis({ keyPrefix: uniqueRedisPrefix('2fa') });
beforeAll(async () => {
  db = await createTestDatabase('auth_test', migrationsDir);
  prisma = createPrismaClient({ url: db.url, poolSize: 4 });
});
afterAll(async () => {
  redis.disconnect();
  await prisma.$disconnect();
  await db.drop();
});

const oldKey = { id: 'old', key: randomBytes(32) };
const newKey = { id: 'new', key: randomBytes(32) };
const IP = '198.51.100.9';
const RECOVERY = 'abcde-fghjk';

/** The checker with `keys` (the first seals), and a user with a confirmed TOTP secret sealed with `sealWith`. */
async function setup(opts: { keys?: (typeof oldKey)[]; sealWith?: typeof oldKey; mfaEnabled?: boolean; ipMax?: number } = {}) {
  const repo = createMfaRepository(prisma);
  const box = createSecretBox(opts.keys ?? [newKey]);
  const throttle = createLoginThrottle(redis, {
    ipMax: opts.ipMax ?? 100,
    windowSec: 60,
    accountFreeFailures: 100,
    cleanIpAttempts: 0,
    maxDelaySec: 60,
    maxWaitMs: 0,
    trustedTtlSec: 60,
  });
  const checker = createSecondFactor({ repo, box, throttle, clock: () => Date.now() });
  const tag = randomUUID();
  const user = await prisma.user.create({ data: { email: `${tag}@example.com`, username: `u_${tag.slice(0, 8)}`, mfaEnabled: opts.mfaEnabled ?? true } });
  const secret = await newTotpSecret();
  await repo.savePending(user.id, createSecretBox([opts.sealWith ?? newKey]).seal(secret, user.id));
  await repo.markConfirmed(user.id);
  await repo.replaceRecoveryCodes(user.id, [hashRecoveryCode(user.id, RECOVERY)], prisma);
  const stored = async () => prisma.userTotp.findUniqueOrThrow({ where: { userId: user.id } });
  return { checker, user, secret, stored };
}

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : error);

describe('TOTP check', () => {
  it('accepts the current code once and records its step', async () => {
    const { checker, user, secret, stored } = await setup();
    const epoch = Math.floor(Date.now() / 1000);
    const code = await generate({ secret, epoch });
    expect(await checker.totpMatches(user.id, code)).toBe(true);
    expect((await stored()).lastStep).toBe(Math.floor(epoch / 30));
    expect(await checker.totpMatches(user.id, code)).toBe(false);
  });

  it('of two requests racing with the same code, one passes', async () => {
    const { checker, user, secret } = await setup();
    const code = await totp(secret);
    const results = await Promise.all([checker.totpMatches(user.id, code), checker.totpMatches(user.id, code), checker.totpMatches(user.id, code)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a wrong code, a code that is not six digits, and a user without TOTP', async () => {
    const { checker, user, secret, stored } = await setup();
    const right = await totp(secret);
    expect(await checker.totpMatches(user.id, String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'))).toBe(false);
    expect(await checker.totpMatches(user.id, `${right}0`)).toBe(false);
    expect(await checker.totpMatches(user.id, 'abcdef')).toBe(false);
    expect((await stored()).lastStep).toBeNull();
    expect(await checker.totpMatches(randomUUID(), right)).toBe(false);
  });

  it('a secret sealed with an older key still works and moves to the active key; a current one stays as it is', async () => {
    const rotated = await setup({ keys: [newKey, oldKey], sealWith: oldKey });
    expect((await rotated.stored()).secret).toMatch(/^v1\.old\./);
    expect(await rotated.checker.totpMatches(rotated.user.id, await totp(rotated.secret))).toBe(true);
    expect((await rotated.stored()).secret).toMatch(/^v1\.new\./);

    const current = await setup({ keys: [newKey, oldKey] });
    const before = (await current.stored()).secret;
    expect(await current.checker.totpMatches(current.user.id, await totp(current.secret))).toBe(true);
    expect((await current.stored()).secret).toBe(before);
  });
});

describe('second factor of a sensitive action', () => {
  it('is not asked while MFA is off', async () => {
    const { checker, user } = await setup({ mfaEnabled: false });
    await expect(checker.requireCurrentCode(user, undefined, IP)).resolves.toBeUndefined();
  });

  it('is required while MFA is on', async () => {
    const { checker, user } = await setup();
    for (const code of [undefined, '']) {
      const error = await checker.requireCurrentCode(user, code, IP).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('VALIDATION_FAILED');
      expect((error as AppError).errors).toEqual([{ path: 'code', message: expect.stringMatching(/required/) }]);
    }
  });

  it('takes the current TOTP code, or a recovery code once', async () => {
    const { checker, user, secret } = await setup();
    await expect(checker.requireCurrentCode(user, await totp(secret), IP)).resolves.toBeUndefined();
    await expect(checker.requireCurrentCode(user, 'ABCDE FGHJK', IP)).resolves.toBeUndefined();
    expect(codeOf(await checker.requireCurrentCode(user, RECOVERY, IP).catch((e: unknown) => e))).toBe('MFA_CODE_INVALID');
  });

  it('refuses a wrong code, and wrong codes count on the account’s brute-force throttle', async () => {
    const { checker, user, secret } = await setup({ ipMax: 2 });
    const attempt = (code: string) => checker.requireCurrentCode(user, code, IP).then(() => 'ok', codeOf);
    expect(await attempt('000000')).toBe('MFA_CODE_INVALID');
    expect(await attempt('zzzzz-zzzzz')).toBe('MFA_CODE_INVALID');
    expect(await attempt(await totp(secret))).toBe('RATE_LIMITED');
    // Another IP is not refused.
    expect(await checker.matches(user.id, { code: await totp(secret) }, '198.51.100.10')).toBe(true);
  });
});

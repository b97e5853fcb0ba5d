import { randomBytes } from 'node:crypto';
import type { HttpApp } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createMfaRepository } from '../src/modules/mfa/mfa.repository.js';
import { resealStaleSecrets } from '../src/modules/mfa/reseal.js';
import { createSecretBox } from '../src/modules/mfa/secret-box.js';
import { parseMfaKeys } from '../src/modules/mfa/mfa-config.js';
import { firstStep, totp, userWithMfa, verify } from './mfa-kit.js';
import { startAuthService, testConfig } from './test-app.js';
import type { TestContext } from './test-app.js';

const oldKey = `old:${randomBytes(32).toString('base64')}`;
const newKey = `new:${randomBytes(32).toString('base64')}`;

let ctx: TestContext;
let rotated: HttpApp;
beforeAll(async () => {
  ctx = await startAuthService({ MFA_ENCRYPTION_KEY: oldKey });
  // The same database and Redis, restarted with a new key first and the old one kept.
  rotated = await buildApp(testConfig(ctx.db.url, { MFA_ENCRYPTION_KEY: `${newKey},${oldKey}`, REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix }), {
    logger: false,
    keyRing: ctx.keyRing,
  });
  await rotated.ready();
});
afterAll(async () => {
  await rotated?.close();
  await ctx.close();
});

const sealedWith = async (userId: string) => (await ctx.app.prisma.userTotp.findUniqueOrThrow({ where: { userId } })).secret.split('.')[1];

describe('rotating MFA_ENCRYPTION_KEY', () => {
  it('secrets sealed with the old key still work, and move to the new key when used', async () => {
    const who = await userWithMfa(ctx.app);
    expect(await sealedWith(who.user.id)).toBe('old');
    const done = await verify(rotated, { mfaToken: await firstStep(rotated, who), code: await totp(who.secret) });
    expect(done.statusCode, done.body).toBe(200);
    expect(await sealedWith(who.user.id)).toBe('new');
    // And the new seal opens: the next code works too.
    expect((await verify(rotated, { mfaToken: await firstStep(rotated, who), code: await totp(who.secret, 1) })).statusCode).toBe(200);
  });

  it('mfa:reseal moves the unused ones, after which the old key can go', async () => {
    const idle = await userWithMfa(ctx.app);
    const box = createSecretBox(parseMfaKeys([newKey, oldKey]));
    expect(await resealStaleSecrets(createMfaRepository(ctx.app.prisma), box)).toBeGreaterThanOrEqual(1);
    expect(await sealedWith(idle.user.id)).toBe('new');
    expect(await resealStaleSecrets(createMfaRepository(ctx.app.prisma), box)).toBe(0);
    const newOnly = await buildApp(testConfig(ctx.db.url, { MFA_ENCRYPTION_KEY: newKey, REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix }), {
      logger: false,
      keyRing: ctx.keyRing,
    });
    try {
      expect((await verify(newOnly, { mfaToken: await firstStep(newOnly, idle), code: await totp(idle.secret) })).statusCode).toBe(200);
    } finally {
      await newOnly.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMfaRepository } from '../src/modules/mfa/mfa.repository.js';
import { createMfaReset } from '../src/modules/mfa/reset.js';
import { createOutboxRepository } from '../src/modules/outbox/outbox.repository.js';
import { createUsersRepository } from '../src/modules/users/users.repository.js';
import { bearer, expectProblem, registerAndLogin } from './factories.js';
import { clearOfStepBoundary, firstStep, totp, userWithMfa, verify } from './mfa-kit.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

describe('TOTP enrolment', () => {
  it('setup gives a secret, its otpauth URL and an SVG QR code; the database holds it only sealed', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/setup', headers: bearer(tokens.accessToken) });
    expect(res.statusCode, res.body).toBe(200);
    const { secret, otpauthUrl, qrSvg } = res.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl);
    expect([url.protocol, url.host, url.searchParams.get('secret'), url.searchParams.get('issuer')]).toEqual(['otpauth:', 'totp', secret, 'authmeet']);
    expect(qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const [row] = await ctx.app.prisma.$queryRaw<{ secret: string }[]>`SELECT secret FROM user_totp WHERE user_id = ${user.id}::uuid`;
    expect(row?.secret).toMatch(/^v1\.dev\./);
    expect(row?.secret).not.toContain(secret);
    expect(Buffer.from(row?.secret ?? '').toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('confirm refuses a wrong code (400) and one without setup (409), then turns MFA on with 10 recovery codes stored hashed', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const auth = bearer(tokens.accessToken);
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: '123456' } }), 409, 'MFA_NOT_ENABLED');
    const { secret } = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/setup', headers: auth })).json();
    const wrong = String((Number(await totp(secret)) + 1) % 1_000_000).padStart(6, '0');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: wrong } }), 400, 'MFA_CODE_INVALID');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: 'abc' } }), 400, 'VALIDATION_FAILED');
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: auth, payload: { code: await totp(secret) } });
    expect(res.statusCode, res.body).toBe(200);
    const { recoveryCodes } = res.json() as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await ctx.app.prisma.recoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(10);
    for (const row of stored) for (const c of recoveryCodes) expect(row.codeHash).not.toContain(c.replace('-', ''));
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: auth })).json().mfaEnabled).toBe(true);
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/setup', headers: auth }), 409, 'MFA_ALREADY_ENABLED');
  });
});

describe('login with a second factor', () => {
  it('a password login answers mfaRequired; the code completes it with amr, acr aal2 and auth_time kept across refreshes', async () => {
    const who = await userWithMfa(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: who.input.email, password: who.input.password } });
    expect(res.json()).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'recovery_code'] });
    expect(res.json()).not.toHaveProperty('accessToken');
    const done = await verify(ctx.app, { mfaToken: res.json().mfaToken, code: await totp(who.secret) });
    expect(done.statusCode, done.body).toBe(200);
    const claims = decodeJwt(done.json().accessToken);
    expect(claims).toMatchObject({ sub: who.user.id, amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' });
    expect(Math.abs(Number(claims.auth_time) - Date.now() / 1000)).toBeLessThan(5);
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: done.json().refreshToken } });
    const again = decodeJwt(refreshed.json().accessToken);
    expect(again).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2', auth_time: claims.auth_time });
    expect(again.iat).toBeGreaterThan(Number(claims.iat));
    // verify-token shows the same claims to other services.
    const checked = await ctx.app.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token: refreshed.json().accessToken } });
    expect(checked.json().claims).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2', auth_time: claims.auth_time });
  });

  it('a login without MFA is aal1 with amr pwd', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ amr: ['pwd'], acr: 'aal1' });
  });

  it('accepts codes one step early or late, refuses two steps off', async () => {
    const who = await userWithMfa(ctx.app);
    await clearOfStepBoundary();
    for (const offset of [-2, 2]) {
      expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code: await totp(who.secret, offset) }), 401, 'MFA_CODE_INVALID');
    }
    expect((await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code: await totp(who.secret, 1) })).statusCode).toBe(200);
    const early = await userWithMfa(ctx.app); // confirmed with the code of the step before
    expect(early.tokens.accessToken).toBeTruthy();
  });

  it('a code works once: its replay, and any code of an earlier step, is refused', async () => {
    const who = await userWithMfa(ctx.app);
    const code = await totp(who.secret);
    expect((await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code })).statusCode).toBe(200);
    expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code }), 401, 'MFA_CODE_INVALID');
    // The confirm used step -1: gone as well.
    expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code: await totp(who.secret, -1) }), 401, 'MFA_CODE_INVALID');
  });

  it('the mfaToken is single use, and unknown or malformed tokens are refused', async () => {
    const who = await userWithMfa(ctx.app);
    const mfaToken = await firstStep(ctx.app, who);
    expect((await verify(ctx.app, { mfaToken, code: await totp(who.secret) })).statusCode).toBe(200);
    expectProblem(await verify(ctx.app, { mfaToken, code: await totp(who.secret, 1) }), 401, 'MFA_TOKEN_INVALID');
    expectProblem(await verify(ctx.app, { mfaToken: 'x'.repeat(64), code: '123456' }), 401, 'MFA_TOKEN_INVALID');
    expectProblem(await verify(ctx.app, { mfaToken: 'nope', code: '123456' }), 401, 'MFA_TOKEN_INVALID');
    expectProblem(await verify(ctx.app, { mfaToken }), 400, 'VALIDATION_FAILED');
  });

  it('an account disabled between the two steps is refused: the token is spent, the code is not', async () => {
    const who = await userWithMfa(ctx.app);
    const mfaToken = await firstStep(ctx.app, who);
    const code = await totp(who.secret);
    await ctx.app.prisma.user.update({ where: { id: who.user.id }, data: { isActive: false } });
    expectProblem(await verify(ctx.app, { mfaToken, code }), 403, 'ACCOUNT_DISABLED');
    await ctx.app.prisma.user.update({ where: { id: who.user.id }, data: { isActive: true } });
    expectProblem(await verify(ctx.app, { mfaToken, code }), 401, 'MFA_TOKEN_INVALID');
    // MFA turned off meanwhile: the token is no longer one of a second step.
    const another = await firstStep(ctx.app, who);
    await ctx.app.prisma.user.update({ where: { id: who.user.id }, data: { mfaEnabled: false } });
    expectProblem(await verify(ctx.app, { mfaToken: another, code }), 401, 'MFA_TOKEN_INVALID');
    await ctx.app.prisma.user.update({ where: { id: who.user.id }, data: { mfaEnabled: true } });
    expectProblem(await verify(ctx.app, { mfaToken: another, code }), 401, 'MFA_TOKEN_INVALID');
    // Neither refusal spent the code's step.
    expect((await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code })).statusCode).toBe(200);
  });

  it('dies after 5 wrong codes: the right one is refused afterwards', async () => {
    const who = await userWithMfa(ctx.app);
    const mfaToken = await firstStep(ctx.app, who);
    for (let i = 0; i < 5; i += 1) expectProblem(await verify(ctx.app, { mfaToken, code: '000000' }), 401, 'MFA_CODE_INVALID');
    expectProblem(await verify(ctx.app, { mfaToken, code: await totp(who.secret) }), 401, 'MFA_TOKEN_INVALID');
    // A new login works: the account is slowed, not locked, for its owner.
    expect((await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code: await totp(who.secret) })).statusCode).toBe(200);
  });

  it('a recovery code completes a login once', async () => {
    const who = await userWithMfa(ctx.app);
    const [recoveryCode] = who.recoveryCodes;
    const res = await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), recoveryCode: String(recoveryCode).toUpperCase() });
    expect(res.statusCode, res.body).toBe(200);
    expect(decodeJwt(res.json().accessToken)).toMatchObject({ amr: ['pwd', 'mfa'], acr: 'aal2' });
    expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), recoveryCode: String(recoveryCode) }), 401, 'MFA_CODE_INVALID');
    expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), recoveryCode: 'aaaaa-bbbbb' }), 401, 'MFA_CODE_INVALID');
  });
});

describe('sensitive actions while MFA is on', () => {
  it('password change needs a current code', async () => {
    const who = await userWithMfa(ctx.app);
    const change = (extra: Record<string, string>) =>
      ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/password/change',
        headers: bearer(who.tokens.accessToken),
        payload: { currentPassword: who.input.password, newPassword: 'Another-Strong-Passphrase-42', ...extra },
      });
    const missing = expectProblem(await change({}), 400, 'VALIDATION_FAILED');
    expect(missing.errors).toEqual([{ path: 'code', message: expect.stringContaining('required') }]);
    expectProblem(await change({ code: '000000' }), 401, 'MFA_CODE_INVALID');
    expect((await change({ code: await totp(who.secret) })).statusCode).toBe(204);
  });

  it('account deletion needs a current code (a recovery code does too)', async () => {
    const who = await userWithMfa(ctx.app);
    const del = (extra: Record<string, string>) =>
      ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(who.tokens.accessToken), payload: { password: who.input.password, ...extra } });
    expectProblem(await del({}), 400, 'VALIDATION_FAILED');
    expectProblem(await del({ code: 'zzzzz-zzzzz' }), 401, 'MFA_CODE_INVALID');
    expect((await del({ code: String(who.recoveryCodes[3]) })).statusCode).toBe(204);
    expect(await ctx.app.prisma.recoveryCode.count({ where: { userId: who.user.id } })).toBe(0);
    expect(await ctx.app.prisma.userTotp.count({ where: { userId: who.user.id } })).toBe(0);
  });

  it('new recovery codes need a code and replace the old ones', async () => {
    const who = await userWithMfa(ctx.app);
    const regen = (code: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/recovery-codes', headers: bearer(who.tokens.accessToken), payload: { code } });
    expectProblem(await regen('000000'), 401, 'MFA_CODE_INVALID');
    const res = await regen(await totp(who.secret));
    expect(res.statusCode, res.body).toBe(200);
    const fresh = res.json().recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), recoveryCode: String(who.recoveryCodes[0]) }), 401, 'MFA_CODE_INVALID');
    expect((await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), recoveryCode: String(fresh[0]) })).statusCode).toBe(200);
  });

  it('turning MFA off needs the password and a code; then logins are one step again', async () => {
    const who = await userWithMfa(ctx.app);
    const off = (payload: Record<string, string>) => ctx.app.inject({ method: 'DELETE', url: '/v1/auth/mfa/totp', headers: bearer(who.tokens.accessToken), payload });
    expectProblem(await off({ password: 'wrong-password', code: await totp(who.secret) }), 401, 'INVALID_CREDENTIALS');
    expectProblem(await off({ password: who.input.password, code: '000000' }), 401, 'MFA_CODE_INVALID');
    expectProblem(await off({ password: who.input.password }), 400, 'VALIDATION_FAILED');
    expect((await off({ password: who.input.password, code: await totp(who.secret) })).statusCode).toBe(204);
    expectProblem(await off({ password: who.input.password, code: await totp(who.secret, 1) }), 409, 'MFA_NOT_ENABLED');
    const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: who.input.email, password: who.input.password } });
    expect(login.json()).toHaveProperty('accessToken');
    expect(await ctx.app.prisma.recoveryCode.count({ where: { userId: who.user.id } })).toBe(0);
  });

  it('MFA routes need a Bearer token', async () => {
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/setup' }), 401, 'UNAUTHENTICATED');
  });
});

describe('resetForUser (for the administrators’ reset)', () => {
  it('removes TOTP, recovery codes and passkeys, turns MFA off as a synced change', async () => {
    const who = await userWithMfa(ctx.app);
    await ctx.app.prisma.passkey.create({ data: { userId: who.user.id, credentialId: randomUUID(), publicKey: Buffer.from('k'), deviceType: 'singleDevice', name: 'Key' } });
    const before = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: who.user.id } });
    const resetForUser = createMfaReset({
      users: createUsersRepository(ctx.app.prisma),
      outbox: createOutboxRepository(ctx.app.prisma),
      repo: createMfaRepository(ctx.app.prisma),
    });
    await resetForUser(who.user.id);
    const after = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: who.user.id } });
    expect([after.mfaEnabled, after.version]).toEqual([false, before.version + 1]);
    expect(await ctx.app.prisma.userTotp.count({ where: { userId: who.user.id } })).toBe(0);
    expect(await ctx.app.prisma.recoveryCode.count({ where: { userId: who.user.id } })).toBe(0);
    expect(await ctx.app.prisma.passkey.count({ where: { userId: who.user.id } })).toBe(0);
    const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: who.input.email, password: who.input.password } });
    expect(login.json()).toHaveProperty('accessToken');
  });
});

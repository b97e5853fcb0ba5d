import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, newUserInput, registerAndLogin, registerUser, STRONG_PASSWORD } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers });

const userKeys = ['avatarUrl', 'createdAt', 'email', 'emailVerified', 'firstName', 'id', 'isActive', 'lastName', 'mfaEnabled', 'roles', 'updatedAt', 'username'];

describe('POST /v1/auth/register', () => {
  it('creates the user: 201 { user }, email trimmed and lower-cased, no secrets', async () => {
    const input = newUserInput();
    const res = await post('/v1/auth/register', { ...input, email: `  ${input.email.toUpperCase()} ` });
    expect(res.statusCode, res.body).toBe(201);
    const { user } = res.json();
    expect(Object.keys(user).sort()).toEqual(userKeys);
    expect(user).toMatchObject({ email: input.email, username: input.username, emailVerified: false, isActive: true });
    expect(res.body).not.toMatch(/argon2|passwordHash|password/i);
    expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);
    const row = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$/);
    for (const param of ['m=19456', 't=2', 'p=1']) expect(row.passwordHash).toContain(param);
  });

  it('EMAIL_TAKEN for the same email in another case', async () => {
    const { input } = await registerUser(ctx.app);
    const res = await post('/v1/auth/register', newUserInput({ email: input.email.toUpperCase() }));
    expectProblem(res, 409, 'EMAIL_TAKEN');
  });

  it('USERNAME_TAKEN case-insensitively', async () => {
    const { input } = await registerUser(ctx.app);
    const res = await post('/v1/auth/register', newUserInput({ username: input.username.toUpperCase() }));
    expectProblem(res, 409, 'USERNAME_TAKEN');
  });

  it('one errors entry per bad field', async () => {
    const res = await post('/v1/auth/register', { email: 'not-an-email', username: 'a', password: 'short', firstName: 'x'.repeat(101) });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    const errors = body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['email', 'firstName', 'password', 'username']);
    const password = errors.find((e) => e.path === 'password');
    expect(password?.message).toMatch(/8 characters/);
    expect(password?.message).toMatch(/upper-case/);
  });

  it('missing fields are named', async () => {
    const body = expectProblem(await post('/v1/auth/register', {}), 400, 'VALIDATION_FAILED');
    expect((body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['email', 'password', 'username']);
  });

  it.each([
    ['no upper-case', 'correct-horse-battery-9'],
    ['no lower-case', 'CORRECT-HORSE-BATTERY-9'],
    ['no digit', 'Correct-Horse-Battery-x'],
    ['no symbol', 'CorrectHorseBattery9x'],
    ['too long', `Aa1!${'x'.repeat(125)}`],
  ])('password policy: %s', async (_label, password) => {
    const body = expectProblem(await post('/v1/auth/register', newUserInput({ password })), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
  });

  it('refuses weak passwords that pass the character rules, and ones built from the user’s own name', async () => {
    const weak = expectProblem(await post('/v1/auth/register', newUserInput({ password: 'Password1!' })), 400, 'VALIDATION_FAILED');
    expect(weak.errors).toEqual([{ path: 'password', message: expect.stringMatching(/too weak/) }]);
    const own = newUserInput({ username: 'zanzibar_quokka' });
    const res = await post('/v1/auth/register', { ...own, password: 'Zanzibar_quokka1' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
});

describe('POST /v1/auth/login', () => {
  it('by email, by username (any case), and with the `email`/`username` aliases', async () => {
    const { input, user } = await registerUser(ctx.app);
    for (const payload of [
      { identifier: input.email.toUpperCase(), password: STRONG_PASSWORD },
      { identifier: input.username.toUpperCase(), password: STRONG_PASSWORD },
      { email: input.email, password: STRONG_PASSWORD },
      { username: input.username, password: STRONG_PASSWORD },
    ]) {
      const res = await post('/v1/auth/login', payload);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(
        ['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'sessionId', 'tokenType', 'user'].sort(),
      );
      expect(body.user.id).toBe(user.id);
      expect(body.refreshExpiresIn).toBe(ctx.config.sessions.refreshTtlSec);
    }
  });

  it('wrong password and unknown user give the same INVALID_CREDENTIALS answer', async () => {
    const { input } = await registerUser(ctx.app);
    const wrong = expectProblem(await post('/v1/auth/login', { identifier: input.email, password: 'Wrong-password-1' }), 401, 'INVALID_CREDENTIALS');
    const unknown = expectProblem(await post('/v1/auth/login', { identifier: 'ghost@example.com', password: 'Wrong-password-1' }), 401, 'INVALID_CREDENTIALS');
    expect({ ...wrong, instance: undefined }).toEqual({ ...unknown, instance: undefined });
  });

  it('missing identifier and password are field errors', async () => {
    const body = expectProblem(await post('/v1/auth/login', {}), 400, 'VALIDATION_FAILED');
    expect((body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['identifier', 'password']);
  });

  it('ACCOUNT_DISABLED only for the right password', async () => {
    const { input, user } = await registerUser(ctx.app);
    await ctx.app.prisma.user.update({ where: { id: user.id }, data: { isActive: false } });
    expectProblem(await post('/v1/auth/login', { identifier: input.email, password: 'Wrong-password-1' }), 401, 'INVALID_CREDENTIALS');
    expectProblem(await post('/v1/auth/login', { identifier: input.email, password: STRONG_PASSWORD }), 403, 'ACCOUNT_DISABLED');
  });

  it('EMAIL_NOT_VERIFIED only when REQUIRE_EMAIL_VERIFICATION=true', async () => {
    const strict = await startAuthService({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    try {
      const { input, user } = await registerUser(strict.app);
      const res = await strict.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } });
      expectProblem(res, 403, 'EMAIL_NOT_VERIFIED');
      await strict.app.prisma.user.update({ where: { id: user.id }, data: { emailVerified: true } });
      await login(strict.app, input.email);
    } finally {
      await strict.close();
    }
    // The default service lets unverified users in.
    const { input } = await registerUser(ctx.app);
    await login(ctx.app, input.email);
  });

  it('re-hashes a password stored with weaker parameters on login', async () => {
    const { input, user } = await registerUser(ctx.app);
    const argon2 = (await import('argon2')).default;
    const weak = await argon2.hash(STRONG_PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await ctx.app.prisma.user.update({ where: { id: user.id }, data: { passwordHash: weak } });
    await login(ctx.app, input.email);
    const row = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    for (const param of ['m=19456', 't=2', 'p=1']) expect(row.passwordHash).toContain(param);
  });
});

describe('/v1/auth/me', () => {
  it('GET returns the user', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, email: user.email });
  });

  it('PATCH updates username and names, bumping the sync version', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: '/v1/auth/me',
      headers: bearer(tokens.accessToken),
      payload: { username: `${user.username}_x`, firstName: 'Grace', lastName: null },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ username: `${user.username}_x`, firstName: 'Grace', lastName: null });
    const row = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.version).toBe(2);
  });

  it('PATCH: 409 USERNAME_TAKEN, 400 for bad or unknown fields', async () => {
    const other = await registerUser(ctx.app);
    const { tokens } = await registerAndLogin(ctx.app);
    const taken = await ctx.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { username: other.input.username.toUpperCase() } });
    expectProblem(taken, 409, 'USERNAME_TAKEN');
    const bad = await ctx.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { username: 'no spaces allowed', email: 'x@y.z' } });
    const body = expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect((body.errors as { path: string }[]).length).toBe(2);
  });

  it('DELETE closes the account: 401 for a wrong password; then sessions die and data is gone', async () => {
    const { tokens, user, input } = await registerAndLogin(ctx.app);
    const second = await login(ctx.app, input.username);
    const wrong = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: 'Nope-nope-1' } });
    expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(204);
    for (const t of [tokens.accessToken, second.accessToken]) {
      expectProblem(await post('/v1/auth/verify-token', { token: t }), 401, 'TOKEN_REVOKED');
    }
    expectProblem(await post('/v1/auth/login', { identifier: input.email, password: STRONG_PASSWORD }), 401, 'INVALID_CREDENTIALS');
    const row = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ isActive: false, passwordHash: null, firstName: null, lastName: null });
    expect(row.email).not.toContain(input.email);
    expect(row.deletedAt).toBeInstanceOf(Date);
    // The email is free again.
    await registerUser(ctx.app, { email: input.email });
  });
});

describe('POST /v1/auth/verify-token', () => {
  it('400 without a token', async () => {
    expectProblem(await post('/v1/auth/verify-token', {}), 400, 'VALIDATION_FAILED');
  });
});

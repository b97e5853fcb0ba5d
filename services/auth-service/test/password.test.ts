import { median } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, newUserInput, registerUser, STRONG_PASSWORD } from './factories.js';
import { startWithMail, tokenFrom } from './mail-kit.js';
import type { MailContext } from './mail-kit.js';

const NEW_PASSWORD = 'Quartz-Violin-Lantern-42';

let m: MailContext;
beforeAll(async () => {
  m = await startWithMail({ LOGIN_FAILURE_MAX: '5' });
});
afterAll(async () => m.close());

const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  m.ctx.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const forgot = (email: string) => post('/v1/auth/password/forgot', { email });
const reset = (token: string, newPassword = NEW_PASSWORD) => post('/v1/auth/password/reset', { token, newPassword });
const verifyToken = (token: string) => post('/v1/auth/verify-token', { token });

/** Registers a user and waits for (and drops) their verification mail. */
async function freshUser() {
  const { user, input } = await registerUser(m.ctx.app);
  await m.smtp.waitForMailTo(input.email);
  return { user, input };
}

async function resetMailFor(email: string) {
  return m.smtp.waitFor((mail) => mail.envelope.to.includes(email) && mail.subject === 'Reset your password');
}

describe('POST /v1/auth/password/forgot', () => {
  it('202 for a known and an unknown email alike; only the known one gets a mail', async () => {
    const { input } = await freshUser();
    const unknown = newUserInput().email;
    const queuedBefore = await m.ctx.app.prisma.mailOutbox.count({ where: { template: 'password-reset' } });
    const known = await forgot(input.email);
    const nobody = await forgot(unknown);
    expect([known.statusCode, nobody.statusCode]).toEqual([202, 202]);
    expect(known.body).toBe(nobody.body);
    const mail = await resetMailFor(input.email);
    expect(mail.text).toMatch(/expires in 1 hour/);
    tokenFrom(mail, '/reset-password');
    await m.ctx.app.mailWorker.runOnce();
    expect(m.smtp.mailsTo(unknown)).toEqual([]);
    expect(await m.ctx.app.prisma.mailOutbox.count({ where: { template: 'password-reset' } })).toBe(queuedBefore + 1);
  });

  it('validates the email', async () => {
    const body = expectProblem(await forgot('not-an-email'), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'email', message: expect.any(String) }]);
  });
});

describe('POST /v1/auth/password/reset', () => {
  it('sets the password with the mailed token, revokes every session, and the token works once', async () => {
    const { input } = await freshUser();
    const a = await login(m.ctx.app, input.email);
    const b = await login(m.ctx.app, input.email);
    expect((await forgot(input.email)).statusCode).toBe(202);
    const token = tokenFrom(await resetMailFor(input.email), '/reset-password');

    const res = await reset(token);
    expect(res.statusCode, res.body).toBe(204);
    for (const old of [a, b]) {
      expectProblem(await verifyToken(old.accessToken), 401, 'TOKEN_REVOKED');
      expectProblem(await post('/v1/auth/refresh', { refreshToken: old.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    }
    expectProblem(await post('/v1/auth/login', { identifier: input.email, password: STRONG_PASSWORD }), 401, 'INVALID_CREDENTIALS');
    await login(m.ctx.app, input.email, NEW_PASSWORD);

    expectProblem(await reset(token, 'Another-Strong-Pass-77'), 400, 'TOKEN_INVALID');
    await login(m.ctx.app, input.email, NEW_PASSWORD);
  });

  it('following the reset link also proves the email: emailVerified becomes true through the outbox', async () => {
    const { user, input } = await freshUser();
    await forgot(input.email);
    expect((await reset(tokenFrom(await resetMailFor(input.email), '/reset-password'))).statusCode).toBe(204);
    const rows = await m.ctx.app.prisma.userOutbox.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.version, (r.payload as { emailVerified: boolean }).emailVerified])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('a weak new password is a 400 that leaves the token usable', async () => {
    const { input } = await freshUser();
    await forgot(input.email);
    const token = tokenFrom(await resetMailFor(input.email), '/reset-password');
    const weak = expectProblem(await reset(token, 'Password1!'), 400, 'VALIDATION_FAILED');
    expect(weak.errors).toEqual([{ path: 'newPassword', message: expect.stringMatching(/too weak/) }]);
    expectProblem(await reset(token, 'short'), 400, 'VALIDATION_FAILED');
    expect((await reset(token)).statusCode).toBe(204);
  });

  it('an expired token → TOKEN_INVALID and the password is unchanged', async () => {
    const { user, input } = await freshUser();
    await forgot(input.email);
    const token = tokenFrom(await resetMailFor(input.email), '/reset-password');
    await m.ctx.app.prisma.accountToken.updateMany({
      where: { userId: user.id, purpose: 'password_reset' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expectProblem(await reset(token), 400, 'TOKEN_INVALID');
    await login(m.ctx.app, input.email);
  });

  it('a verification token is no reset token, and junk is TOKEN_INVALID', async () => {
    const { input } = await registerUser(m.ctx.app);
    const verification = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    expectProblem(await reset(verification), 400, 'TOKEN_INVALID');
    expectProblem(await reset('x'.repeat(43)), 400, 'TOKEN_INVALID');
    expectProblem(await reset('../../etc/passwd'), 400, 'TOKEN_INVALID');
  });
});

describe('POST /v1/auth/password/change', () => {
  const change = (accessToken: string, currentPassword: string, newPassword = NEW_PASSWORD) =>
    post('/v1/auth/password/change', { currentPassword, newPassword }, bearer(accessToken));

  it('keeps the current session, revokes the others, and the new password works', async () => {
    const { input } = await freshUser();
    const current = await login(m.ctx.app, input.email);
    const other = await login(m.ctx.app, input.email);
    const res = await change(current.accessToken, STRONG_PASSWORD);
    expect(res.statusCode, res.body).toBe(204);

    expect((await verifyToken(current.accessToken)).statusCode).toBe(200);
    expect((await m.ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(current.accessToken) })).statusCode).toBe(200);
    expect((await post('/v1/auth/refresh', { refreshToken: current.refreshToken })).statusCode).toBe(200);
    expectProblem(await verifyToken(other.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await post('/v1/auth/refresh', { refreshToken: other.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    await login(m.ctx.app, input.email, NEW_PASSWORD);
  });

  it('a wrong current password → 401 INVALID_CREDENTIALS and nothing changes', async () => {
    const { input } = await freshUser();
    const session = await login(m.ctx.app, input.email);
    const other = await login(m.ctx.app, input.email);
    expectProblem(await change(session.accessToken, 'Wrong-Password-123!'), 401, 'INVALID_CREDENTIALS');
    expect((await verifyToken(other.accessToken)).statusCode).toBe(200);
    await login(m.ctx.app, input.email);
  });

  it('repeated wrong current passwords are throttled per user (429)', async () => {
    const { input } = await freshUser();
    const session = await login(m.ctx.app, input.email);
    for (let i = 0; i < 5; i += 1) expectProblem(await change(session.accessToken, `Wrong-Password-${i}!x`), 401, 'INVALID_CREDENTIALS');
    const limited = expectProblem(await change(session.accessToken, STRONG_PASSWORD), 429, 'RATE_LIMITED');
    expect(limited.detail).toMatch(/wrong passwords/);
  });

  it('a reset link mailed before the change no longer works after it', async () => {
    const { input } = await freshUser();
    await forgot(input.email);
    const token = tokenFrom(await resetMailFor(input.email), '/reset-password');
    const session = await login(m.ctx.app, input.email);
    expect((await change(session.accessToken, STRONG_PASSWORD)).statusCode).toBe(204);
    expectProblem(await reset(token, 'Another-Strong-Pass-77'), 400, 'TOKEN_INVALID');
  });

  it('needs a Bearer token and validates the new password', async () => {
    expectProblem(await post('/v1/auth/password/change', { currentPassword: 'x', newPassword: NEW_PASSWORD }), 401, 'UNAUTHENTICATED');
    const { input } = await freshUser();
    const session = await login(m.ctx.app, input.email);
    const body = expectProblem(await change(session.accessToken, STRONG_PASSWORD, 'nouppercase1!'), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'newPassword', message: expect.any(String) }]);
  });
});

describe('forgot: limits and timing', () => {
  let limited: MailContext;
  beforeAll(async () => {
    limited = await startWithMail({ MAIL_ADDRESS_MAX: '5', RATE_LIMIT_FORGOT_MAX: '4', FORGOT_MIN_RESPONSE_MS: '80' });
  });
  afterAll(async () => limited.close());

  const forgotOn = (email: string, ip = '127.0.0.1') =>
    limited.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email }, remoteAddress: ip });

  it('known and unknown emails take about the same time (a fixed floor), so timing is no oracle', async () => {
    const { input } = await registerUser(limited.ctx.app);
    let ip = 0;
    const timed = async (email: string) => {
      ip += 1;
      const t = performance.now();
      expect((await forgotOn(email, `10.9.0.${ip}`)).statusCode).toBe(202);
      return performance.now() - t;
    };
    await timed(newUserInput().email); // warm-up: first-call compilation is not what is measured
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      known.push(await timed(input.email));
      unknown.push(await timed(newUserInput().email));
    }
    for (const t of [...known, ...unknown]) expect(t).toBeGreaterThanOrEqual(75);
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(30);
  });

  it('per address: the sixth mail within the window is refused, whether or not the account exists', async () => {
    const { input } = await registerUser(limited.ctx.app);
    const unknown = newUserInput().email;
    for (const email of [input.email, unknown]) {
      for (let i = 1; i <= 5; i += 1) expect((await forgotOn(email, `10.9.1.${i}`)).statusCode).toBe(202);
      const res = await forgotOn(email, '10.9.1.9');
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('per client IP, across addresses', async () => {
    for (let i = 0; i < 4; i += 1) expect((await forgotOn(newUserInput().email, '10.9.2.1')).statusCode).toBe(202);
    expectProblem(await forgotOn(newUserInput().email, '10.9.2.1'), 429, 'RATE_LIMITED');
    expect((await forgotOn(newUserInput().email, '10.9.2.2')).statusCode).toBe(202);
  });
});

import { startMailServer } from '@authmeet/dev-mail';
import type { MailServer } from '@authmeet/dev-mail';
import { eventually } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, registerAndLogin, registerUser, STRONG_PASSWORD } from './factories.js';
import { mailEnv, sha256Hex, startWithMail, tokenFrom } from './mail-kit.js';
import type { MailContext } from './mail-kit.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

const verify = (ctx: TestContext, token: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/auth/email/verify', payload: { token } });

describe('email verification', () => {
  let m: MailContext;
  beforeAll(async () => {
    m = await startWithMail();
  });
  afterAll(async () => m.close());

  it('register → the mail arrives over SMTP → its link verifies the email, and the change is in the outbox', async () => {
    const { user, input } = await registerUser(m.ctx.app);
    const mail = await m.smtp.waitForMailTo(input.email);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.from).toContain('no-reply@authmeet.test');
    expect(mail.text).toMatch(/expires in 24 hours/);
    const token = tokenFrom(mail, '/verify-email');

    const res = await verify(m.ctx, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, email: input.email, emailVerified: true });
    const tokens = await login(m.ctx.app, input.email);
    const me = await m.ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) });
    expect(me.json().emailVerified).toBe(true);

    // The meetings-service learns it through the user sync: a new version in the outbox.
    const rows = await m.ctx.app.prisma.userOutbox.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.kind, r.version, (r.payload as { emailVerified: boolean }).emailVerified])).toEqual([
      ['upsert', 1, false],
      ['upsert', 2, true],
    ]);
  });

  it('tokens are stored only as hashes, and the mail queue holds no token at all', async () => {
    const { user, input } = await registerUser(m.ctx.app);
    const token = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    const stored = await m.ctx.app.prisma.accountToken.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ purpose: 'email_verification', tokenHash: sha256Hex(token), usedAt: null });
    const expiresInH = ((stored[0]?.expiresAt.getTime() ?? 0) - Date.now()) / 3_600_000;
    expect(expiresInH).toBeGreaterThan(23.9);
    expect(expiresInH).toBeLessThanOrEqual(24);
    const queued = await eventually(async () => {
      const rows = await m.ctx.app.prisma.mailOutbox.findMany({ where: { userId: user.id } });
      expect(rows.map((q) => q.status)).toEqual(['sent']);
      return rows;
    });
    expect(JSON.stringify(queued, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
  });

  it('the same token twice → TOKEN_INVALID (400), and the user stays verified', async () => {
    const { input } = await registerUser(m.ctx.app);
    const token = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    expect((await verify(m.ctx, token)).statusCode).toBe(200);
    const again = expectProblem(await verify(m.ctx, token), 400, 'TOKEN_INVALID');
    expect(again.type).toBe('urn:authmeet:problem:token-invalid');
  });

  it('an expired token → TOKEN_INVALID, and the email stays unverified', async () => {
    const { user, input } = await registerUser(m.ctx.app);
    const token = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    await m.ctx.app.prisma.accountToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectProblem(await verify(m.ctx, token), 400, 'TOKEN_INVALID');
    expect((await m.ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBe(false);
  });

  it('unknown and malformed tokens → TOKEN_INVALID; a missing one → VALIDATION_FAILED', async () => {
    expectProblem(await verify(m.ctx, 'A'.repeat(43)), 400, 'TOKEN_INVALID');
    expectProblem(await verify(m.ctx, 'not a token'), 400, 'TOKEN_INVALID');
    const body = expectProblem(await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/verify', payload: {} }), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'token', message: expect.any(String) }]);
  });

  it('email/resend mails a fresh link that works; once verified it sends nothing', async () => {
    const { input, tokens } = await registerAndLogin(m.ctx.app);
    const first = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    const res = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/resend', headers: bearer(tokens.accessToken) });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    const second = await m.smtp.waitFor((mail) => mail.envelope.to.includes(input.email) && !mail.text.includes(first));
    expect((await verify(m.ctx, tokenFrom(second, '/verify-email'))).statusCode).toBe(200);
    // One link works, then none: the first one was spent with it.
    expectProblem(await verify(m.ctx, first), 400, 'TOKEN_INVALID');

    const before = m.smtp.mailsTo(input.email).length;
    const again = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/resend', headers: bearer(tokens.accessToken) });
    expect(again.statusCode).toBe(202);
    await m.ctx.app.mailWorker.runOnce();
    expect(m.smtp.mailsTo(input.email)).toHaveLength(before);
    expectProblem(await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/resend' }), 401, 'UNAUTHENTICATED');
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  let m: MailContext;
  beforeAll(async () => {
    m = await startWithMail({ REQUIRE_EMAIL_VERIFICATION: 'true' });
  });
  afterAll(async () => m.close());

  it('login is refused until the mailed link is followed', async () => {
    const { input } = await registerUser(m.ctx.app);
    const refused = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } });
    expectProblem(refused, 403, 'EMAIL_NOT_VERIFIED');
    const token = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    expect((await verify(m.ctx, token)).statusCode).toBe(200);
    await login(m.ctx.app, input.email);
  });
});

describe('with the SMTP server down', () => {
  let ctx: TestContext;
  let smtp: MailServer | undefined;
  let port: number;
  beforeAll(async () => {
    // Find a free port, then leave nothing listening on it.
    const probe = await startMailServer({ smtpPort: 0, httpPort: false });
    port = probe.smtpPort;
    await probe.close();
    ctx = await startAuthService(mailEnv(`smtp://127.0.0.1:${port}`, { MAIL_MAX_BACKOFF_MS: '100' }));
  });
  afterAll(async () => {
    await ctx.close();
    await smtp?.close();
  });

  it('register still succeeds at once, the failure is retried, and the mail arrives once the server is back', async () => {
    const started = Date.now();
    const { user, input } = await registerUser(ctx.app);
    expect(Date.now() - started).toBeLessThan(2000);
    const failing = await eventually(async () => {
      const row = await ctx.app.prisma.mailOutbox.findFirstOrThrow({ where: { userId: user.id } });
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      return row;
    });
    expect(failing.status).toBe('pending');
    expect(failing.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);

    smtp = await startMailServer({ smtpPort: port, httpPort: false });
    const mail = await smtp.waitForMailTo(input.email, 10_000);
    const token = tokenFrom(mail, '/verify-email');
    expect((await verify(ctx, token)).statusCode).toBe(200);
    await eventually(async () => {
      expect((await ctx.app.prisma.mailOutbox.findFirstOrThrow({ where: { userId: user.id } })).status).toBe('sent');
    });
    expect(smtp.mailsTo(input.email)).toHaveLength(1);
  });

  it('a temporary SMTP refusal (451) is retried too', async () => {
    if (!smtp) throw new Error('runs after the server is back');
    smtp.failNext(1);
    const { input } = await registerUser(ctx.app);
    const mail = await smtp.waitForMailTo(input.email, 10_000);
    expect(mail.subject).toBe('Confirm your email address');
  });
});

describe('a mail that keeps failing', () => {
  let ctx: TestContext;
  let sends = 0;
  beforeAll(async () => {
    const refusing = {
      async send() {
        sends += 1;
        throw Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
      },
    };
    ctx = await startAuthService({ MAIL_MAX_ATTEMPTS: '2', MAIL_MAX_BACKOFF_MS: '10' }, { mailer: refusing });
  });
  afterAll(async () => ctx.close());

  it('is retried, then parked as dead (visible in metrics), and can be put back in line', async () => {
    const { user } = await registerUser(ctx.app);
    const row = () => ctx.app.prisma.mailOutbox.findFirstOrThrow({ where: { userId: user.id } });
    await ctx.app.mailWorker.runOnce();
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/550 Mailbox unavailable/) });
    await new Promise((r) => setTimeout(r, 30));
    await ctx.app.mailWorker.runOnce();
    expect(await row()).toMatchObject({ status: 'dead', attempts: 2 });
    expect(sends).toBe(2);
    const metrics = await ctx.app.metrics.metrics();
    expect(metrics).toMatch(/mail_backlog\{state="dead"[^}]*\} 1\n/);
    expect(metrics).toMatch(/mail_sends_total\{template="email-verification",result="dead"[^}]*\} 1\n/);

    const { createMailRepository } = await import('../src/modules/mail/mail.repository.js');
    expect(await createMailRepository(ctx.app.prisma).replayDead()).toBe(1);
    expect(await row()).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerUser } from '../factories.js';
import { startWithMail, tokenFrom } from '../mail-kit.js';
import type { MailContext } from '../mail-kit.js';
import { APP_CALLBACK, googleAccount, useGoogleSignIn } from '../oauth-kit.js';

/** The audit events of the flows that need a mailbox or a Google account. */
const typesOf = async (m: MailContext, userId: string) =>
  (await m.ctx.app.prisma.auditEvent.findMany({ where: { targetId: userId }, orderBy: { id: 'asc' } })).map((e) => e.type);

describe('mailed links', () => {
  let m: MailContext;
  beforeAll(async () => {
    m = await startWithMail();
  });
  afterAll(async () => m.close());

  it('email verification and password reset are recorded with the change', async () => {
    const { user, input } = await registerUser(m.ctx.app);
    const verify = tokenFrom(await m.smtp.waitForMailTo(input.email), '/verify-email');
    expect((await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/verify', payload: { token: verify } })).statusCode).toBe(200);
    expect((await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: input.email } })).statusCode).toBe(202);
    const resetMail = await m.smtp.waitFor((mail) => mail.to.includes(input.email) && mail.links.some((l) => l.includes('/reset-password')));
    const reset = tokenFrom(resetMail, '/reset-password');
    const res = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/reset', payload: { token: reset, newPassword: 'Fresh-Horse-Battery-5-Staple' } });
    expect(res.statusCode, res.body).toBe(204);
    expect(await typesOf(m, user.id)).toEqual(['user.registered', 'user.email_verified', 'user.password_reset']);
    const events = JSON.stringify(await m.ctx.app.prisma.auditEvent.findMany({ where: { targetId: user.id } }), (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    expect(events).not.toContain(verify);
    expect(events).not.toContain(reset);
    expect(events).not.toContain('Fresh-Horse-Battery-5-Staple');
  });
});

describe('Google sign-in', () => {
  const g = useGoogleSignIn();

  it('sign-ups, links and sign-ins are recorded; a disabled account is refused at the callback and at the exchange', async () => {
    const account = googleAccount();
    const first = await g.signInForTokens(account);
    expect(await typesOf(g.m, first.user.id)).toEqual(['user.registered', 'user.login.succeeded']);
    const registered = await g.m.ctx.app.prisma.auditEvent.findFirstOrThrow({ where: { targetId: first.user.id, type: 'user.registered' } });
    expect(registered.details).toEqual({ method: 'google' });

    const { user, input } = await registerUser(g.m.ctx.app);
    await g.signInForTokens(googleAccount({ email: input.email }));
    expect(await typesOf(g.m, user.id)).toContain('user.oauth_linked');

    const pending = await g.signIn(account);
    const code = pending.landed?.searchParams.get('code');
    await g.m.ctx.app.prisma.user.update({ where: { id: first.user.id }, data: { isActive: false } });
    expectProblem(await g.exchange(code), 403, 'ACCOUNT_DISABLED');
    const { landed } = await g.signIn(account);
    expect(landed?.href).toBe(`${APP_CALLBACK}?error=ACCOUNT_DISABLED`);
  });
});

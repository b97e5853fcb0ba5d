import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, registerAndLogin, registerUser, STRONG_PASSWORD } from './factories.js';
import { tokenFrom } from './mail-kit.js';
import { APP_CALLBACK, googleAccount, useGoogleSignIn } from './oauth-kit.js';

const g = useGoogleSignIn();
const { get, exchange, signIn, signInForTokens, userCount } = g;

describe('Google sign-in end to end', () => {
  it('creates a new user: verified, no password, linked by subject; the one-time code is hashed, expires in 60 s and works once', async () => {
    const account = googleAccount();
    const { landed } = await signIn(account);
    expect(`${landed?.origin}${landed?.pathname}`).toBe(APP_CALLBACK);
    expect([...(landed?.searchParams.keys() ?? [])]).toEqual(['code']);
    const code = String(landed?.searchParams.get('code'));
    const key = `oauth-code:${createHash('sha256').update(code).digest('base64url')}`;
    const ttl = await g.m.ctx.app.redis.ttl(key);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);

    const res = await exchange(code);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tokenType: 'Bearer', user: { email: account.email, emailVerified: true, firstName: 'Grace', lastName: 'Hopper' } });
    const me = await get('/v1/auth/me', bearer(body.accessToken));
    expect(me.json().id).toBe(body.user.id);

    const row = await g.m.ctx.app.prisma.user.findUniqueOrThrow({ where: { id: body.user.id }, include: { identities: true } });
    expect(row.passwordHash).toBeNull();
    expect(row.identities.map((i) => [i.provider, i.subject])).toEqual([['google', account.sub]]);
    const outbox = await g.m.ctx.app.prisma.userOutbox.findMany({ where: { userId: row.id } });
    expect(outbox.map((o) => (o.payload as { emailVerified: boolean }).emailVerified)).toEqual([true]);

    expectProblem(await exchange(code), 400, 'TOKEN_INVALID');
    expectProblem(await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: account.email, password: STRONG_PASSWORD } }), 401, 'INVALID_CREDENTIALS');
  });

  it('signs the same subject in to the same user, even after the provider email changes', async () => {
    const account = googleAccount();
    const first = await signInForTokens(account);
    const before = await userCount();
    const again = await signInForTokens({ ...account, email: `renamed.${account.email}` });
    expect(again.user.id).toBe(first.user.id);
    expect(await userCount()).toBe(before);
  });

  it('links an existing account with a verified email when the provider asserts email_verified', async () => {
    const { user, input, tokens } = await registerAndLogin(g.m.ctx.app);
    await g.m.ctx.app.prisma.user.update({ where: { id: user.id }, data: { emailVerified: true } });
    const signedIn = await signInForTokens(googleAccount({ email: input.email.toUpperCase() }));
    expect(signedIn.user.id).toBe(user.id);
    // The owner's password and sessions are untouched.
    await login(g.m.ctx.app, input.email);
    expect((await get('/v1/auth/me', bearer(tokens.accessToken))).statusCode).toBe(200);
  });

  it('links an account whose own address was never verified only by taking it over from whoever set its password', async () => {
    const { user, input, tokens } = await registerAndLogin(g.m.ctx.app);
    const signedIn = await signInForTokens(googleAccount({ email: input.email }));
    expect(signedIn.user).toMatchObject({ id: user.id, emailVerified: true });
    expectProblem(await get('/v1/auth/me', bearer(tokens.accessToken)), 401, 'TOKEN_REVOKED');
    expectProblem(await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } }), 401, 'INVALID_CREDENTIALS');
    const outbox = await g.m.ctx.app.prisma.userOutbox.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    expect(outbox.map((o) => o.version)).toEqual([1, 2]);
  });

  it('never merges on an unverified provider email: redirect with error=EMAIL_TAKEN, nothing linked or created', async () => {
    const { user, input } = await registerUser(g.m.ctx.app);
    const before = await userCount();
    const { landed } = await signIn(googleAccount({ email: input.email, email_verified: false }));
    expect(landed?.href).toBe(`${APP_CALLBACK}?error=EMAIL_TAKEN`);
    expect(await g.m.ctx.app.prisma.userIdentity.count({ where: { userId: user.id } })).toBe(0);
    expect(await userCount()).toBe(before);
  });

  it('an unverified provider email with no account makes a new, unverified account and mails a verification link', async () => {
    const account = googleAccount({ email_verified: false });
    const signedIn = await signInForTokens(account);
    expect(signedIn.user.emailVerified).toBe(false);
    const token = tokenFrom(await g.m.smtp.waitForMailTo(String(account.email)), '/verify-email');
    const verified = await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/email/verify', payload: { token } });
    expect(verified.json().emailVerified).toBe(true);
  });

  it('a Google-only user sets a first password through reset, then can log in with it', async () => {
    const account = googleAccount();
    await signInForTokens(account);
    const email = String(account.email);
    expect((await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email } })).statusCode).toBe(202);
    const token = tokenFrom(await g.m.smtp.waitForMailTo(email), '/reset-password');
    const res = await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/reset', payload: { token, newPassword: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(204);
    await login(g.m.ctx.app, email);
  });

  it('closing the account drops its Google identity: the same Google account later signs up afresh', async () => {
    const account = googleAccount();
    const first = await signInForTokens(account);
    // A Google-only account has no password to confirm closure with; give it one the quick way.
    const withPassword = await g.m.ctx.app.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } });
    const { createPasswordHasher } = await import('../src/modules/passwords/password-hasher.js');
    const hasher = await createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 1, maxQueue: 8 });
    await g.m.ctx.app.prisma.user.update({ where: { id: withPassword.id }, data: { passwordHash: await hasher.hash(STRONG_PASSWORD) } });
    const closed = await g.m.ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(first.accessToken), payload: { password: STRONG_PASSWORD } });
    expect(closed.statusCode, closed.body).toBe(204);
    expect(await g.m.ctx.app.prisma.userIdentity.count({ where: { userId: first.user.id } })).toBe(0);
    const again = await signInForTokens(account);
    expect(again.user.id).not.toBe(first.user.id);
  });

  it('keeps the query of an allowed target and accepts any path on an origin-only entry', async () => {
    const { landed } = await signIn(googleAccount(), { redirectTo: 'https://app.example.com/auth/callback?next=%2Fmeetings' });
    expect(landed?.searchParams.get('next')).toBe('/meetings');
    expect(landed?.searchParams.get('code')).toBeTruthy();
    const admin = await signIn(googleAccount(), { redirectTo: 'https://admin.example.com/any/where' });
    expect(admin.landed?.pathname).toBe('/any/where');
  });
});


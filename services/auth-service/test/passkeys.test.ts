import { randomUUID } from 'node:crypto';
import { craftAssertion, softwarePasskey } from '@authmeet/test-kit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, registerAndLogin } from './factories.js';
import { totp, userWithMfa } from './mfa-kit.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

// The ceremonies themselves run in a real browser (packages/e2e, second-factors.test.ts); here
// the routes' options, refusals and management.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({ WEBAUTHN_RP_ID: 'app.example.com', WEBAUTHN_RP_NAME: 'Example', WEBAUTHN_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => ctx.close());

const fakeAssertion = (id = 'AAAA') => ({
  id,
  rawId: id,
  type: 'public-key',
  clientExtensionResults: {},
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
});

describe('passkey routes', () => {
  it('registration options name the configured relying party, require a discoverable, verified credential', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/options', headers: bearer(tokens.accessToken) });
    expect(res.statusCode, res.body).toBe(200);
    const options = res.json();
    expect(options.rp).toEqual({ name: 'Example', id: 'app.example.com' });
    expect(options.user.id).toBe(Buffer.from(user.id.replaceAll('-', ''), 'hex').toString('base64url'));
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.timeout).toBe(300_000);
  });

  it('register/verify without a pending challenge, or with a response that does not verify, is 400 PASSKEY_INVALID', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const auth = bearer(tokens.accessToken);
    const response = { ...fakeAssertion(), response: { clientDataJSON: 'e30', attestationObject: 'AAAA' } };
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response } }), 400, 'PASSKEY_INVALID');
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/options', headers: auth });
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response } }), 400, 'PASSKEY_INVALID');
    // The challenge was taken by the failed attempt: single use.
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response } }), 400, 'PASSKEY_INVALID');
  });

  it('with MFA on, adding a passkey needs a current code first', async () => {
    const who = await userWithMfa(ctx.app);
    const auth = bearer(who.tokens.accessToken);
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/options', headers: auth });
    const response = { ...fakeAssertion(), response: { clientDataJSON: 'e30', attestationObject: 'AAAA' } };
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response } }), 400, 'VALIDATION_FAILED');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response, code: '000000' } }), 401, 'MFA_CODE_INVALID');
    expectProblem(
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response, code: await totp(who.secret) } }),
      400,
      'PASSKEY_INVALID',
    );
  });

  it('login options: discoverable without an identifier, the same shape for an unknown one; the challenge is single use', async () => {
    const open = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/options', payload: {} });
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json().options).toMatchObject({ rpId: 'app.example.com', userVerification: 'required', allowCredentials: [] });
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/options', payload: { identifier: 'nobody@example.com' } });
    expect(Object.keys(unknown.json().options).sort()).toEqual(Object.keys(open.json().options).sort());
    const { challengeId } = open.json();
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId, response: fakeAssertion() } }), 401, 'PASSKEY_INVALID');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId, response: fakeAssertion() } }), 401, 'PASSKEY_INVALID');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId: randomUUID(), response: fakeAssertion() } }), 401, 'PASSKEY_INVALID');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId } }), 400, 'VALIDATION_FAILED');
  });

  it('list, rename and delete are the owner’s only', async () => {
    const me = await registerAndLogin(ctx.app);
    const other = await registerAndLogin(ctx.app);
    const passkey = await ctx.app.prisma.passkey.create({
      data: { userId: other.user.id, credentialId: randomUUID(), publicKey: Buffer.from('k'), deviceType: 'multiDevice', name: 'Phone' },
    });
    const mine = bearer(me.tokens.accessToken);
    const theirs = bearer(other.tokens.accessToken);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/passkeys', headers: mine })).json()).toEqual({ items: [] });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/passkeys', headers: theirs })).json().items).toEqual([
      { id: passkey.id, name: 'Phone', createdAt: passkey.createdAt.toISOString(), lastUsedAt: null },
    ]);
    const url = `/v1/auth/passkeys/${passkey.id}`;
    expectProblem(await ctx.app.inject({ method: 'PATCH', url, headers: mine, payload: { name: 'Mine now' } }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'DELETE', url, headers: mine }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'PATCH', url, headers: theirs, payload: { name: '\u202Eevil' } }), 400, 'VALIDATION_FAILED');
    const renamed = await ctx.app.inject({ method: 'PATCH', url, headers: theirs, payload: { name: 'Work phone' } });
    expect(renamed.json()).toMatchObject({ id: passkey.id, name: 'Work phone' });
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: theirs })).statusCode).toBe(204);
    expectProblem(await ctx.app.inject({ method: 'DELETE', url, headers: theirs }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/passkeys' }), 401, 'UNAUTHENTICATED');
  });

  it('with MFA on, removing a passkey needs a current code', async () => {
    const who = await userWithMfa(ctx.app);
    const passkey = await ctx.app.prisma.passkey.create({
      data: { userId: who.user.id, credentialId: randomUUID(), publicKey: Buffer.from('k'), deviceType: 'singleDevice', name: 'Key' },
    });
    const url = `/v1/auth/passkeys/${passkey.id}`;
    const auth = bearer(who.tokens.accessToken);
    expectProblem(await ctx.app.inject({ method: 'DELETE', url, headers: auth }), 400, 'VALIDATION_FAILED');
    expectProblem(await ctx.app.inject({ method: 'DELETE', url, headers: auth, payload: { code: '000000' } }), 401, 'MFA_CODE_INVALID');
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: auth, payload: { code: await totp(who.secret) } })).statusCode).toBe(204);
  });
});

describe('passkey login (a software authenticator)', () => {
  const origin = 'https://app.example.com';
  const handleOf = (userId: string) => Buffer.from(userId.replaceAll('-', ''), 'hex').toString('base64url');

  async function enrolled(opts: { mfa?: boolean } = {}) {
    const { user, input } = opts.mfa ? await userWithMfa(ctx.app) : await registerAndLogin(ctx.app);
    const key = softwarePasskey();
    await ctx.app.prisma.passkey.create({
      data: { userId: user.id, credentialId: key.credentialId, publicKey: key.cosePublicKey, deviceType: 'singleDevice', name: 'Soft key' },
    });
    return { user, input, key };
  }

  async function login(key: ReturnType<typeof softwarePasskey>, opts: { signCount: number; userHandle?: string; rpId?: string; identifier?: string }) {
    const options = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/options', payload: opts.identifier ? { identifier: opts.identifier } : {} });
    const { challengeId, options: publicKey } = options.json() as { challengeId: string; options: { challenge: string } };
    const response = craftAssertion({ ...key, userHandle: opts.userHandle, signCount: opts.signCount, rpId: opts.rpId ?? 'app.example.com', origin, challenge: publicKey.challenge });
    return ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId, response } });
  }

  it('logs in without a username: tokens with amr hwk and acr aal2, no second step even with MFA on', async () => {
    const { user, key } = await enrolled({ mfa: true });
    const res = await login(key, { signCount: 1, userHandle: handleOf(user.id) });
    expect(res.statusCode, res.body).toBe(200);
    expect(decodeJwt(res.json().accessToken)).toMatchObject({ sub: user.id, amr: ['hwk'], acr: 'aal2' });
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect([stored.counter, stored.lastUsedAt !== null]).toEqual([1n, true]);
  });

  it('refuses a counter that did not grow (a cloned authenticator), another relying party, another user’s handle', async () => {
    const { user, input, key } = await enrolled();
    const other = await registerAndLogin(ctx.app);
    expect((await login(key, { signCount: 5 })).statusCode).toBe(200);
    expectProblem(await login(key, { signCount: 5 }), 401, 'PASSKEY_INVALID');
    expectProblem(await login(key, { signCount: 6, rpId: 'evil.example' }), 401, 'PASSKEY_INVALID');
    expect(expectProblem(await login(key, { signCount: 7, userHandle: handleOf(other.user.id) }), 401, 'PASSKEY_INVALID').detail).toBe('Unknown passkey');
    // A ceremony started for another user's identifier does not accept this passkey.
    expect(expectProblem(await login(key, { signCount: 8, identifier: other.input.email }), 401, 'PASSKEY_INVALID').detail).toBe('Unknown passkey');
    expect((await login(key, { signCount: 9, identifier: input.email, userHandle: handleOf(user.id) })).statusCode).toBe(200);
  });

  it('a disabled user cannot log in with a passkey', async () => {
    const { user, key } = await enrolled();
    await ctx.app.prisma.user.update({ where: { id: user.id }, data: { isActive: false } });
    expectProblem(await login(key, { signCount: 1 }), 403, 'ACCOUNT_DISABLED');
  });
});

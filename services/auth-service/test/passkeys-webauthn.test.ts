import { craftAssertion, softwarePasskey } from '@authmeet/test-kit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasskeysRepository } from '../src/modules/passkeys/passkeys.repository.js';
import { bearer, expectProblem, login, registerUser } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';
import { FLAG_UP, craftRegistration } from './webauthn-kit.js';

// The WebAuthn checks of both ceremonies with a software authenticator: what the relying party
// must refuse (another origin or relying party, no user verification, another challenge, a
// challenge used before, a counter that did not grow, a credential registered twice). Routes and
// management: passkeys.test.ts; the ceremonies in a real browser: packages/e2e.
const RP_ID = 'app.example.com';
const ORIGIN = 'https://app.example.com';
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({
    WEBAUTHN_RP_ID: RP_ID,
    WEBAUTHN_RP_NAME: 'Example',
    WEBAUTHN_ORIGINS: ORIGIN,
    REQUIRE_EMAIL_VERIFICATION: 'true',
  });
});
afterAll(async () => ctx.close());

type Key = ReturnType<typeof softwarePasskey>;

/** A user with a verified email, signed in. */
async function verifiedUser() {
  const { input, user } = await registerUser(ctx.app);
  await ctx.app.prisma.user.update({ where: { id: user.id }, data: { emailVerified: true } });
  const tokens = await login(ctx.app, input.email);
  return { input, user, auth: bearer(tokens.accessToken) };
}

async function registrationOptions(auth: { authorization: string }) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/options', headers: auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { challenge: string; user: { displayName: string }; excludeCredentials: { id: string }[] };
}

const registerVerify = (auth: { authorization: string }, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload });

/** Options, then a response crafted with `change` applied; the verify answer. */
async function register(auth: { authorization: string }, key: Key, change: { origin?: string; rpId?: string; flags?: number; challenge?: string; name?: string } = {}) {
  const { challenge } = await registrationOptions(auth);
  const response = craftRegistration({ key, rpId: change.rpId ?? RP_ID, origin: change.origin ?? ORIGIN, challenge: change.challenge ?? challenge, ...(change.flags === undefined ? {} : { flags: change.flags }) });
  return { response, res: await registerVerify(auth, { response, ...(change.name === undefined ? {} : { name: change.name }) }) };
}

async function loginOptions(identifier?: string) {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/options', payload: identifier ? { identifier } : {} });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { challengeId: string; options: { challenge: string; allowCredentials: { id: string }[] } };
}

const loginVerify = (challengeId: string, response: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId, response } });

async function passkeyLogin(key: Key, signCount: number, change: { origin?: string; flags?: number; challenge?: string; privateKey?: Key['privateKey'] } = {}) {
  const { challengeId, options } = await loginOptions();
  const response = craftAssertion({
    ...key,
    ...(change.privateKey ? { privateKey: change.privateKey } : {}),
    signCount,
    rpId: RP_ID,
    origin: change.origin ?? ORIGIN,
    challenge: change.challenge ?? options.challenge,
    ...(change.flags === undefined ? {} : { flags: change.flags }),
  });
  return loginVerify(challengeId, response);
}

describe('passkey registration', () => {
  it('stores a verified credential with its name, audited, and lists it in the next options’ exclusions', async () => {
    const { user, auth } = await verifiedUser();
    const key = softwarePasskey();
    const { res } = await register(auth, key, { name: 'Laptop' });
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({ name: 'Laptop', lastUsedAt: null });
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect(stored).toMatchObject({ id: view.id, userId: user.id, counter: 0n, transports: ['internal'], name: 'Laptop' });
    expect(Buffer.from(stored.publicKey).equals(key.cosePublicKey)).toBe(true);
    const event = await ctx.app.prisma.auditEvent.findFirstOrThrow({ where: { targetId: user.id, type: 'user.passkey_added' } });
    expect(event.details).toEqual({ passkeyId: view.id, name: 'Laptop' });
    const next = await registrationOptions(auth);
    expect(next.excludeCredentials.map((c) => c.id)).toEqual([key.credentialId]);
    expect(next.user.displayName).toBe('Ada Lovelace');
    // And it signs in.
    expect((await passkeyLogin(key, 1)).statusCode).toBe(200);
  });

  it('names an unnamed passkey "Passkey"', async () => {
    const { auth } = await verifiedUser();
    const { res } = await register(auth, softwarePasskey());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().name).toBe('Passkey');
  });

  it.each<[string, { origin?: string; rpId?: string; flags?: number; challenge?: string }, RegExp]>([
    ['another origin', { origin: 'https://evil.example' }, /origin/i],
    ['another relying party', { rpId: 'evil.example' }, /RP ID|rpId|relying/i],
    ['no user verification', { flags: FLAG_UP }, /verif/i],
    ['another challenge', { challenge: 'bm90IHRoZSBjaGFsbGVuZ2U' }, /challenge/i],
  ])('refuses %s (400 PASSKEY_INVALID) and stores nothing', async (_name, change, detail) => {
    const { auth } = await verifiedUser();
    const key = softwarePasskey();
    const { res } = await register(auth, key, change);
    expect(expectProblem(res, 400, 'PASSKEY_INVALID').detail).toMatch(detail);
    expect(await ctx.app.prisma.passkey.findUnique({ where: { credentialId: key.credentialId } })).toBeNull();
  });

  it('refuses an attestation that does not verify, and stores a response without transports with none', async () => {
    const { auth } = await verifiedUser();
    const key = softwarePasskey();
    const bad = craftRegistration({ key, rpId: RP_ID, origin: ORIGIN, challenge: (await registrationOptions(auth)).challenge, badPackedAttestation: true });
    expect(expectProblem(await registerVerify(auth, { response: bad }), 400, 'PASSKEY_INVALID').detail).toBe('The registration could not be verified');
    const plain = craftRegistration({ key, rpId: RP_ID, origin: ORIGIN, challenge: (await registrationOptions(auth)).challenge });
    const { transports: _transports, ...withoutTransports } = plain.response;
    expect((await registerVerify(auth, { response: { ...plain, response: withoutTransports } })).statusCode).toBe(201);
    expect((await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } })).transports).toEqual([]);
  });

  it('a challenge is used once: the same response again is refused', async () => {
    const { auth } = await verifiedUser();
    const { response, res } = await register(auth, softwarePasskey());
    expect(res.statusCode, res.body).toBe(201);
    const again = await registerVerify(auth, { response });
    expect(expectProblem(again, 400, 'PASSKEY_INVALID').detail).toMatch(/No registration in progress/);
  });

  it('a credential is registered once, by one user', async () => {
    const first = await verifiedUser();
    const second = await verifiedUser();
    const key = softwarePasskey();
    expect((await register(first.auth, key)).res.statusCode).toBe(201);
    expect(expectProblem((await register(first.auth, key)).res, 400, 'PASSKEY_INVALID').detail).toMatch(/already registered/);
    expect(expectProblem((await register(second.auth, key)).res, 400, 'PASSKEY_INVALID').detail).toMatch(/already registered/);
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect(stored.userId).toBe(first.user.id);
  });
});

describe('passkey login', () => {
  async function enrolled() {
    const who = await verifiedUser();
    const key = softwarePasskey();
    expect((await register(who.auth, key)).res.statusCode).toBe(201);
    return { ...who, key };
  }

  it('opens an aal2 session (amr hwk) at the login’s time, and records the counter and last use', async () => {
    const { user, key } = await enrolled();
    const before = Math.floor(Date.now() / 1000);
    const res = await passkeyLogin(key, 3);
    expect(res.statusCode, res.body).toBe(200);
    const claims = decodeJwt(res.json().accessToken);
    expect(claims).toMatchObject({ sub: user.id, amr: ['hwk'], acr: 'aal2' });
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect(stored.counter).toBe(3n);
    expect(stored.lastUsedAt?.getTime()).toBeGreaterThanOrEqual(before * 1000);
  });

  it.each<[string, { origin?: string; flags?: number; challenge?: string }, RegExp]>([
    ['another origin', { origin: 'https://evil.example' }, /origin/i],
    ['no user verification', { flags: FLAG_UP }, /verif/i],
    ['a signature over another challenge', { challenge: 'bm90IHRoZSBjaGFsbGVuZ2U' }, /challenge/i],
  ])('refuses %s (401 PASSKEY_INVALID), and the counter stays', async (_name, change, detail) => {
    const { key } = await enrolled();
    expect(expectProblem(await passkeyLogin(key, 5, change), 401, 'PASSKEY_INVALID').detail).toMatch(detail);
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect(stored.counter).toBe(0n);
  });

  it('refuses a signature by another key', async () => {
    const { key } = await enrolled();
    const res = await passkeyLogin(key, 5, { privateKey: softwarePasskey().privateKey });
    expect(expectProblem(res, 401, 'PASSKEY_INVALID').detail).toBe('The passkey could not be verified');
  });

  it('a challenge is used once: a valid assertion on a used challenge is refused', async () => {
    const { key } = await enrolled();
    const { challengeId, options } = await loginOptions();
    const first = craftAssertion({ ...key, signCount: 1, rpId: RP_ID, origin: ORIGIN, challenge: options.challenge });
    expect((await loginVerify(challengeId, first)).statusCode).toBe(200);
    const second = craftAssertion({ ...key, signCount: 2, rpId: RP_ID, origin: ORIGIN, challenge: options.challenge });
    expect(expectProblem(await loginVerify(challengeId, second), 401, 'PASSKEY_INVALID').detail).toBe('Unknown, used or expired challenge');
  });

  it('the counter must grow; of two logins racing with the same counter, one wins', async () => {
    const { key } = await enrolled();
    expect((await passkeyLogin(key, 7)).statusCode).toBe(200);
    expectProblem(await passkeyLogin(key, 7), 401, 'PASSKEY_INVALID');
    expectProblem(await passkeyLogin(key, 6), 401, 'PASSKEY_INVALID');
    const [a, b] = await Promise.all([loginOptions(), loginOptions()]);
    const assertion = (challenge: string) => craftAssertion({ ...key, signCount: 9, rpId: RP_ID, origin: ORIGIN, challenge });
    const answers = await Promise.all([loginVerify(a.challengeId, assertion(a.options.challenge)), loginVerify(b.challengeId, assertion(b.options.challenge))]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('the stored counter moves only from the value the login read (compare-and-set)', async () => {
    const { key } = await enrolled();
    const repo = createPasskeysRepository(ctx.app.prisma);
    const stored = await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { credentialId: key.credentialId } });
    expect(await repo.recordUse(stored.id, 0n, 4, new Date())).toBe(true);
    expect(await repo.recordUse(stored.id, 0n, 5, new Date())).toBe(false);
    expect((await ctx.app.prisma.passkey.findUniqueOrThrow({ where: { id: stored.id } })).counter).toBe(4n);
  });

  it('an options call with the identifier allows that user’s passkeys only', async () => {
    const { input, key } = await enrolled();
    const { options } = await loginOptions(input.email);
    expect(options.allowCredentials.map((c) => c.id)).toEqual([key.credentialId]);
    expect((await loginOptions()).options.allowCredentials).toEqual([]);
  });

  it('with email verification required, an unverified user’s passkey is refused', async () => {
    const { user } = await registerUser(ctx.app);
    const key = softwarePasskey();
    await ctx.app.prisma.passkey.create({
      data: { userId: user.id, credentialId: key.credentialId, publicKey: key.cosePublicKey, deviceType: 'singleDevice', name: 'Soft key' },
    });
    expectProblem(await passkeyLogin(key, 1), 403, 'EMAIL_NOT_VERIFIED');
  });
});

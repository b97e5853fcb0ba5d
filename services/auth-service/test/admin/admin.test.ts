import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as usersRole } from '../../src/users-role.js';
import { bearer, expectProblem, login, registerAndLogin, registerUser, STRONG_PASSWORD } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { firstStep, userWithMfa } from '../mfa-kit.js';
import { caller, runCommand } from './admin-kit.js';
import type { Caller } from './admin-kit.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: Caller, payload?: object) =>
  ctx.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

describe('users:role (the first admin)', () => {
  it('grants admin: tokens minted before are refused at once, a refresh carries the role', async () => {
    const { input, tokens } = await registerAndLogin(ctx.app);
    const result = await runCommand(ctx, usersRole, ['--email', input.email.toUpperCase(), '--grant', 'admin']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('roles admin');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) }), 401, 'TOKEN_REVOKED');
    const refreshed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const body = refreshed.json();
    expect(decodeJwt(body.accessToken).roles).toEqual(['admin']);
    expect(body.user.roles).toEqual(['admin']);
    const search = await ctx.app.inject({ method: 'GET', url: '/v1/admin/users', headers: bearer(body.accessToken) });
    expect(search.statusCode, search.body).toBe(200);
  });

  it('answers misuse with the usage (exit 2) and an unknown email with exit 1', async () => {
    for (const argv of [['--grant', 'admin'], ['--email', 'a@b.c'], ['--email', 'a@b.c', '--grant', 'root']]) {
      const result = await runCommand(ctx, usersRole, argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage:');
    }
    const unknown = await runCommand(ctx, usersRole, ['--email', 'nobody@example.com', '--grant', 'admin']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no user');
  });
});

describe('permission matrix of the admin routes', () => {
  let admin: Caller;
  let moderator: Caller;
  let user: Caller;
  let disabled: Caller;
  beforeAll(async () => {
    admin = await caller(ctx, ['admin']);
    moderator = await caller(ctx, ['moderator']);
    user = await caller(ctx);
    disabled = await caller(ctx, ['admin']);
    const res = await inject('POST', `/v1/admin/users/${disabled.id}/disable`, admin, { reason: 'matrix' });
    expect(res.statusCode, res.body).toBe(200);
  });

  const routes: { name: string; ok: number; call: (who: Caller, target: string) => Promise<{ statusCode: number; body: string }> }[] = [
    { name: 'GET /v1/admin/users', ok: 200, call: (who) => inject('GET', '/v1/admin/users', who) },
    { name: 'GET /v1/admin/users/{id}', ok: 200, call: (who, t) => inject('GET', `/v1/admin/users/${t}`, who) },
    { name: 'POST /v1/admin/users/{id}/disable', ok: 200, call: (who, t) => inject('POST', `/v1/admin/users/${t}/disable`, who, { reason: 'spam' }) },
    { name: 'POST /v1/admin/users/{id}/enable', ok: 200, call: (who, t) => inject('POST', `/v1/admin/users/${t}/enable`, who, { reason: 'ok' }) },
    { name: 'PUT /v1/admin/users/{id}/roles', ok: 200, call: (who, t) => inject('PUT', `/v1/admin/users/${t}/roles`, who, { roles: ['moderator'] }) },
    { name: 'POST /v1/admin/users/{id}/sessions/revoke', ok: 204, call: (who, t) => inject('POST', `/v1/admin/users/${t}/sessions/revoke`, who) },
    { name: 'DELETE /v1/admin/users/{id}/mfa', ok: 204, call: (who, t) => inject('DELETE', `/v1/admin/users/${t}/mfa`, who) },
    { name: 'GET /v1/admin/audit', ok: 200, call: (who) => inject('GET', '/v1/admin/audit', who) },
  ];

  for (const route of routes) {
    it(`${route.name}: admin ${route.ok}; moderator and user 403 FORBIDDEN; a disabled admin 401`, async () => {
      const { user: target } = await registerUser(ctx.app);
      const ok = await route.call(admin, target.id);
      expect(ok.statusCode, ok.body).toBe(route.ok);
      for (const who of [moderator, user]) {
        const res = await route.call(who, target.id);
        expect(res.statusCode, res.body).toBe(403);
        expect(JSON.parse(res.body).code).toBe('FORBIDDEN');
      }
      const res = await route.call(disabled, target.id);
      expect(res.statusCode, res.body).toBe(401);
    });
  }
});

describe('disable and enable', () => {
  it('refuses login, refresh and old tokens with the account disabled; enable lets them back', async () => {
    const admin = await caller(ctx, ['admin']);
    const { user, input, tokens } = await registerAndLogin(ctx.app);
    const disabled = await inject('POST', `/v1/admin/users/${user.id}/disable`, admin, { reason: 'abuse report 17' });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json().isActive).toBe(false);
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) }), 401, 'TOKEN_REVOKED');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } }), 403, 'ACCOUNT_DISABLED');
    expectProblem(
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } }),
      403,
      'ACCOUNT_DISABLED',
    );
    const rows = await ctx.app.prisma.userOutbox.findMany({ where: { userId: user.id }, orderBy: { id: 'desc' }, take: 1 });
    expect((rows[0]?.payload as { isActive?: boolean }).isActive).toBe(false);
    const enabled = await inject('POST', `/v1/admin/users/${user.id}/enable`, admin, { reason: 'appeal' });
    expect(enabled.statusCode, enabled.body).toBe(200);
    await login(ctx.app, input.email);
  });

  it('validates the reason and answers 404 for an unknown user', async () => {
    const admin = await caller(ctx, ['admin']);
    const { user } = await registerUser(ctx.app);
    expectProblem(await inject('POST', `/v1/admin/users/${user.id}/disable`, admin, {}), 400, 'VALIDATION_FAILED');
    expectProblem(await inject('POST', `/v1/admin/users/${user.id}/disable`, admin, { reason: 'x\u0007' }), 400, 'VALIDATION_FAILED');
    expectProblem(await inject('POST', '/v1/admin/users/0190a6b5-0000-7000-8000-000000000000/disable', admin, { reason: 'x' }), 404, 'NOT_FOUND');
  });
});

describe('roles', () => {
  it('a role change refuses the old token and the refresh carries the new claims', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await caller(ctx);
    const res = await inject('PUT', `/v1/admin/users/${target.id}/roles`, admin, { roles: ['moderator'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().roles).toEqual(['moderator']);
    expectProblem(await inject('GET', '/v1/auth/me', target), 401, 'TOKEN_REVOKED');
    const refreshed = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: target.refreshToken } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(decodeJwt(refreshed.json().accessToken).roles).toEqual(['moderator']);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(refreshed.json().accessToken) })).statusCode).toBe(200);
  });

  it('two role changes within one second: the token minted between them is refused after the second', async () => {
    // A frozen clock puts both changes and the refresh between them in the same second.
    const now = Date.now();
    const frozen = await startAuthService({}, { clock: () => now });
    try {
      const admin = await caller(frozen, ['admin']);
      const target = await caller(frozen);
      const setRoles = async (roles: string[]) => {
        const res = await frozen.app.inject({ method: 'PUT', url: `/v1/admin/users/${target.id}/roles`, headers: admin.headers, payload: { roles } });
        expect(res.statusCode, res.body).toBe(200);
      };
      const refresh = async (refreshToken: string) => {
        const res = await frozen.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as { accessToken: string; refreshToken: string };
      };
      const me = (token: string) => frozen.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
      await setRoles(['moderator']);
      const promoted = await refresh(target.refreshToken);
      expect(decodeJwt(promoted.accessToken).roles).toEqual(['moderator']);
      expect((await me(promoted.accessToken)).statusCode).toBe(200);
      await setRoles([]);
      expectProblem(await me(promoted.accessToken), 401, 'TOKEN_REVOKED');
      const demoted = await refresh(promoted.refreshToken);
      expect(decodeJwt(demoted.accessToken).roles).toEqual([]);
      expect((await me(demoted.accessToken)).statusCode).toBe(200);
    } finally {
      await frozen.close();
    }
  });

  it('LAST_ADMIN: the last active admin can be neither demoted nor disabled', async () => {
    const fresh = await startAuthService();
    try {
      const only = await caller(fresh, ['admin']);
      const demote = await fresh.app.inject({ method: 'PUT', url: `/v1/admin/users/${only.id}/roles`, headers: only.headers, payload: { roles: [] } });
      expectProblem(demote, 409, 'LAST_ADMIN');
      const disable = await fresh.app.inject({ method: 'POST', url: `/v1/admin/users/${only.id}/disable`, headers: only.headers, payload: { reason: 'x' } });
      expectProblem(disable, 409, 'LAST_ADMIN');
    } finally {
      await fresh.close();
    }
  });

  it('LAST_ADMIN holds under two concurrent demotions: exactly one wins, one admin remains', async () => {
    const fresh = await startAuthService();
    try {
      for (let round = 0; round < 3; round += 1) {
        await fresh.app.prisma.user.updateMany({ where: { roles: { has: 'admin' } }, data: { roles: [] } });
        const a = await caller(fresh, ['admin']);
        const b = await caller(fresh, ['admin']);
        const [ra, rb] = await Promise.all([
          fresh.app.inject({ method: 'PUT', url: `/v1/admin/users/${a.id}/roles`, headers: a.headers, payload: { roles: [] } }),
          fresh.app.inject({ method: 'PUT', url: `/v1/admin/users/${b.id}/roles`, headers: b.headers, payload: { roles: [] } }),
        ]);
        expect([ra.statusCode, rb.statusCode].sort(), `${ra.body} ${rb.body}`).toEqual([200, 409]);
        expect(JSON.parse(ra.statusCode === 409 ? ra.body : rb.body).code).toBe('LAST_ADMIN');
        expect(await fresh.app.prisma.user.count({ where: { roles: { has: 'admin' }, isActive: true } })).toBe(1);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('search and detail', () => {
  it('finds by email or username prefix, any case, filters by role and status, and pages', async () => {
    const admin = await caller(ctx, ['admin']);
    const tag = `zq${randomBytes(3).toString('hex')}`;
    const made = [];
    for (let i = 0; i < 3; i += 1) made.push((await registerUser(ctx.app, { email: `${tag}.${i}@example.com`, username: `other_${tag}_${i}` })).user);
    const named = (await registerUser(ctx.app, { username: `${tag.toUpperCase()}_named` })).user;
    const ids = (res: { json: () => { items: { id: string }[] } }) => res.json().items.map((u) => u.id);

    const all = await inject('GET', `/v1/admin/users?query=${tag.toUpperCase()}`, admin);
    expect(all.statusCode, all.body).toBe(200);
    expect(ids(all).sort()).toEqual([...made.map((u) => u.id), named.id].sort());

    const first = await inject('GET', `/v1/admin/users?query=${tag}&limit=2`, admin);
    expect(ids(first)).toHaveLength(2);
    const next = await inject('GET', `/v1/admin/users?query=${tag}&limit=2&cursor=${first.json().nextCursor}`, admin);
    expect([...ids(first), ...ids(next)].sort()).toEqual(ids(all).sort());
    expect(next.json().nextCursor).toBeNull();

    await inject('POST', `/v1/admin/users/${named.id}/disable`, admin, { reason: 'filter test' });
    await inject('PUT', `/v1/admin/users/${made[0]?.id}/roles`, admin, { roles: ['moderator'] });
    expect(ids(await inject('GET', `/v1/admin/users?query=${tag}&status=disabled`, admin))).toEqual([named.id]);
    expect(ids(await inject('GET', `/v1/admin/users?query=${tag}&status=active`, admin))).toHaveLength(3);
    expect(ids(await inject('GET', `/v1/admin/users?query=${tag}&role=moderator`, admin))).toEqual([made[0]?.id]);
    expectProblem(await inject('GET', '/v1/admin/users?role=root', admin), 400, 'VALIDATION_FAILED');
  });

  it('user detail: the user, live sessions, linked identities and second factors', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await caller(ctx);
    const res = await inject('GET', `/v1/admin/users/${target.id}`, admin);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.user.id).toBe(target.id);
    expect(body.sessions).toHaveLength(1);
    expect(body.identities).toEqual([]);
    expect(body.mfa).toEqual({ totp: false, passkeys: [] });
    expect(res.body).not.toMatch(/password|refresh|hash/i);
  });

  it('revoking every session refuses the user’s tokens at once', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await caller(ctx);
    expect((await inject('POST', `/v1/admin/users/${target.id}/sessions/revoke`, admin)).statusCode).toBe(204);
    expectProblem(await inject('GET', '/v1/auth/me', target), 401, 'TOKEN_REVOKED');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: target.refreshToken } }), 401, 'REFRESH_TOKEN_INVALID');
  });
});

describe('second factors', () => {
  it('an admin resets TOTP, recovery codes and passkeys: the password alone signs in, sessions stay, the reset is audited', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await userWithMfa(ctx.app);
    const id = target.user.id;
    await ctx.app.prisma.passkey.create({
      data: { userId: id, credentialId: randomBytes(16).toString('base64url'), publicKey: randomBytes(32), deviceType: 'singleDevice', name: 'Laptop' },
    });
    const before = (await inject('GET', `/v1/admin/users/${id}`, admin)).json();
    expect(before.user.mfaEnabled).toBe(true);
    expect(before.mfa.totp).toBe(true);
    expect(before.mfa.passkeys).toEqual([expect.objectContaining({ name: 'Laptop', lastUsedAt: null })]);
    await firstStep(ctx.app, target);

    const res = await inject('DELETE', `/v1/admin/users/${id}/mfa`, admin);
    expect(res.statusCode, res.body).toBe(204);

    const after = (await inject('GET', `/v1/admin/users/${id}`, admin)).json();
    expect(after.user.mfaEnabled).toBe(false);
    expect(after.mfa).toEqual({ totp: false, passkeys: [] });
    expect(await ctx.app.prisma.recoveryCode.count({ where: { userId: id } })).toBe(0);
    const signIn = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: target.input.email, password: target.input.password } });
    expect(signIn.statusCode, signIn.body).toBe(200);
    expect(signIn.json()).toMatchObject({ accessToken: expect.any(String) });
    expect(signIn.json().mfaRequired).toBeUndefined();
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(target.tokens.accessToken) })).statusCode).toBe(200);

    const audit = (await inject('GET', `/v1/admin/audit?targetId=${id}&type=admin.mfa_reset`, admin)).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ type: 'admin.mfa_reset', actorId: admin.id, actorType: 'admin', targetId: id });
  });

  it('answers 404 for an unknown user', async () => {
    const admin = await caller(ctx, ['admin']);
    expectProblem(await inject('DELETE', `/v1/admin/users/${randomUUID()}/mfa`, admin), 404, 'NOT_FOUND');
  });
});

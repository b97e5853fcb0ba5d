import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionsRepository } from '../../src/modules/sessions/sessions.repository.js';
import { createSessionsService } from '../../src/modules/sessions/sessions.service.js';
import { createUsersRepository } from '../../src/modules/users/users.repository.js';
import { bearer, expectProblem } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { caller } from './admin-kit.js';

// A login reads the user, then hashes the password (hundreds of milliseconds, seconds under
// load), then issues the token. An admin who changes the user's roles or disables them in
// between must not leave that login with a token carrying the claims from before the change.
// The service is driven directly with the row read "before the change", as the login would.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

function sessionsService() {
  const { app, config } = ctx;
  return createSessionsService({
    repository: createSessionsRepository(app.redis, { keyPrefix: config.redis.keyPrefix, revocationTtlSec: config.jwt.accessTokenTtlSec + 60 }),
    users: createUsersRepository(app.prisma),
    audit: { record: async () => undefined, recordNow: async () => undefined },
    signAccessToken: (claims, exp) => app.jwt.sign({ ...claims, client_id: config.jwt.defaultClientId, exp }),
    rotationBudgetMs: 1000,
    clock: Date.now,
    config: {
      accessTokenTtlSec: config.jwt.accessTokenTtlSec,
      refreshTtlSec: config.sessions.refreshTtlSec,
      absoluteTtlSec: config.sessions.absoluteTtlSec,
      refreshReuseGraceSec: config.sessions.refreshReuseGraceSec,
    },
  });
}

const device = { ip: '127.0.0.1', userAgent: 'race-test' };
const authn = { amr: ['pwd'], acr: 'aal1' as const, authTime: Date.now() };

describe('an admin change that lands while a login is hashing', () => {
  it('a role change: the new token carries the roles after the change, and works', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await caller(ctx, ['moderator']);
    const readBeforeChange = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: target.id } });
    const res = await ctx.app.inject({ method: 'PUT', url: `/v1/admin/users/${target.id}/roles`, headers: admin.headers, payload: { roles: [] } });
    expect(res.statusCode, res.body).toBe(200);

    const pair = await sessionsService().start(readBeforeChange, device, authn);
    expect(decodeJwt(pair.accessToken).roles).toEqual([]);
    expect(pair.user.roles).toEqual([]);
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(pair.accessToken) });
    expect(me.statusCode, me.body).toBe(200);
  });

  it('a disable: the login is refused with ACCOUNT_DISABLED and leaves no session behind', async () => {
    const admin = await caller(ctx, ['admin']);
    const target = await caller(ctx);
    const readBeforeChange = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: target.id } });
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/admin/users/${target.id}/disable`, headers: admin.headers, payload: { reason: 'race test' } });
    expect(res.statusCode, res.body).toBe(200);

    const service = sessionsService();
    await expect(service.start(readBeforeChange, device, authn)).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED' });
    const sessions = await createSessionsRepository(ctx.app.redis, { keyPrefix: ctx.config.redis.keyPrefix, revocationTtlSec: 60 }).listIds(target.id, 0);
    expect(sessions).toEqual([]);
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: target.headers }), 401, 'TOKEN_REVOKED');
  });
});

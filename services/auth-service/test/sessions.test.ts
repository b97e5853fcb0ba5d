import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, registerAndLogin } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const list = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: bearer(token) });

describe('/v1/auth/sessions', () => {
  it('lists one session per login with device data and marks the current one', async () => {
    const { tokens, input } = await registerAndLogin(ctx.app);
    const phone = await login(ctx.app, input.email, undefined, { 'user-agent': 'Phone/1.0' });
    const res = await list(tokens.accessToken);
    expect(res.statusCode, res.body).toBe(200);
    const { items } = res.json();
    expect(items).toHaveLength(2);
    const mine = items.find((s: { id: string }) => s.id === tokens.sessionId);
    const other = items.find((s: { id: string }) => s.id === phone.sessionId);
    expect(mine.current).toBe(true);
    expect(other).toMatchObject({ current: false, userAgent: 'Phone/1.0', ip: '127.0.0.1' });
    expect(Object.keys(mine).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent']);
    expect(Date.parse(other.expiresAt) - Date.parse(other.createdAt)).toBe(ctx.config.sessions.refreshTtlSec * 1000);
  });

  it('refresh slides the expiry and updates lastUsedAt, capped by the absolute lifetime', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const before = (await list(tokens.accessToken)).json().items[0];
    await new Promise((r) => setTimeout(r, 20));
    const next = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })).json();
    const after = (await list(next.accessToken)).json().items[0];
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.parse(before.lastUsedAt));
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.parse(before.expiresAt));
  });

  it('DELETE of another user’s session is 404 and leaves it alive', async () => {
    const me = await registerAndLogin(ctx.app);
    const victim = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/auth/sessions/${victim.tokens.sessionId}`, headers: bearer(me.tokens.accessToken) });
    expectProblem(res, 404, 'NOT_FOUND');
    expect((await list(victim.tokens.accessToken)).statusCode).toBe(200);
  });

  it('DELETE of an unknown id is 404, of a malformed id 400', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    expectProblem(await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/sessions/0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69', headers: bearer(tokens.accessToken) }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/sessions/abc', headers: bearer(tokens.accessToken) }), 400, 'VALIDATION_FAILED');
  });

  it('revoked sessions disappear from the list', async () => {
    const { tokens, input } = await registerAndLogin(ctx.app);
    const other = await login(ctx.app, input.email);
    await ctx.app.inject({ method: 'DELETE', url: `/v1/auth/sessions/${other.sessionId}`, headers: bearer(tokens.accessToken) });
    const { items } = (await list(tokens.accessToken)).json();
    expect(items.map((s: { id: string }) => s.id)).toEqual([tokens.sessionId]);
  });

  it('requires a token', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/sessions' }), 401, 'UNAUTHENTICATED');
  });
});

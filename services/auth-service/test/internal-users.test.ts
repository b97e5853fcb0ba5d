import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, registerAndLogin, registerUser } from './factories.js';
import { SERVICE_KEY, startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });

describe('internal user routes', () => {
  it('refuse no key, a wrong key and a user access token with 401', async () => {
    const { user, tokens } = await registerAndLogin(ctx.app);
    const url = `/internal/v1/users/${user.id}`;
    expectProblem(await get(url), 401, 'UNAUTHENTICATED');
    expectProblem(await get(url, { 'x-service-key': 'wrong' }), 401, 'UNAUTHENTICATED');
    expectProblem(await get(url, { 'x-service-key': `${SERVICE_KEY}x` }), 401, 'UNAUTHENTICATED');
    expectProblem(await get(url, bearer(tokens.accessToken)), 401, 'UNAUTHENTICATED');
    expectProblem(await get('/internal/v1/users', bearer(tokens.accessToken)), 401, 'UNAUTHENTICATED');
  });

  it('GET one user with any configured key; 404 for an unknown id', async () => {
    const { user } = await registerUser(ctx.app);
    for (const key of [SERVICE_KEY, 'second-key-for-rotation']) {
      const res = await get(`/internal/v1/users/${user.id}`, { 'x-service-key': key });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: user.id, email: user.email, version: 1, deleted: false });
      expect(res.body).not.toMatch(/argon2/);
    }
    expectProblem(await get('/internal/v1/users/0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69', { 'x-service-key': SERVICE_KEY }), 404, 'NOT_FOUND');
  });

  it('pages users changed after a time, without gaps or repeats', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const created = [];
    for (let i = 0; i < 7; i += 1) created.push((await registerUser(ctx.app)).user.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs = new URLSearchParams({ updatedAfter: start, limit: '3', ...(cursor ? { cursor } : {}) });
      const res = await get(`/internal/v1/users?${qs}`, { 'x-service-key': SERVICE_KEY });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((u: { id: string; version: number }) => u.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    for (const id of created) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
    const future = await get(`/internal/v1/users?updatedAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { 'x-service-key': SERVICE_KEY });
    expect(future.json()).toEqual({ items: [], nextCursor: null });
  });

  it('rejects a bad cursor and bad limits with 400', async () => {
    const h = { 'x-service-key': SERVICE_KEY };
    expectProblem(await get('/internal/v1/users?cursor=@@@', h), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/internal/v1/users?limit=0', h), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/internal/v1/users?limit=101', h), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/internal/v1/users?updatedAfter=yesterday', h), 400, 'VALIDATION_FAILED');
  });
});

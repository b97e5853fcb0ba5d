import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerUser } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

// An address where nothing listens: Redis "down" for this app instance only.
const DEAD_REDIS = 'redis://127.0.0.1:1';

describe('Redis unavailable', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService({ REDIS_URL: DEAD_REDIS });
  });
  afterAll(async () => ctx.close());

  it('readiness fails and names Redis; liveness stays up', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    const body = expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(body.checks).toEqual({ postgres: 'ok', redis: 'fail', schema: 'ok' });
    expect(res.headers['retry-after']).toBeDefined();
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('login and refresh fail closed with 503, never 500', async () => {
    const { input } = await registerUser(ctx.app);
    const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: input.password } });
    expectProblem(login, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(login.headers['retry-after']).toBeDefined();
    const refresh = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: 'A'.repeat(86) } });
    expect([401, 503]).toContain(refresh.statusCode);
  });
});

describe('Postgres unavailable', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    const healthy = await startAuthService();
    // A second app on the same config but a database server that does not exist.
    const { buildApp } = await import('../src/app.js');
    const broken = await buildApp(
      { ...healthy.config, database: { url: 'postgresql://postgres@127.0.0.1:1/none', poolSize: 1 } },
      { logger: false, keyRing: healthy.keyRing },
    );
    ctx = {
      ...healthy,
      app: broken,
      close: async () => {
        await broken.close();
        await healthy.close();
      },
    };
  });
  afterAll(async () => ctx.close());

  it('readiness names Postgres; register answers 503', async () => {
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(expectProblem(ready, 503, 'DEPENDENCY_UNAVAILABLE').checks).toEqual({ postgres: 'fail', redis: 'ok', schema: 'fail' });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: 'a@b.co', username: 'abc', password: 'Correct-Horse-Battery-9-Staple' } });
    expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
  });
});

describe('database missing or not migrated', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    const healthy = await startAuthService();
    const { buildApp } = await import('../src/app.js');
    const missing = await buildApp(
      { ...healthy.config, database: { url: 'postgresql://postgres@127.0.0.1:5432/authmeet_does_not_exist', poolSize: 1 } },
      { logger: false, keyRing: healthy.keyRing },
    );
    ctx = {
      ...healthy,
      app: missing,
      close: async () => {
        await missing.close();
        await healthy.close();
      },
    };
  });
  afterAll(async () => ctx.close());

  it('answers 503, never 500', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: 'a@b.co', password: 'x' } });
    expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
  });

  it('is not ready', async () => {
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(expectProblem(ready, 503, 'DEPENDENCY_UNAVAILABLE').checks).toMatchObject({ postgres: 'fail', schema: 'fail' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, newUserInput, registerUser, STRONG_PASSWORD } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

describe('route rate limits', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService({ RATE_LIMIT_LOGIN_MAX: '5', RATE_LIMIT_REGISTER_MAX: '3', LOGIN_FAILURE_MAX: '100' });
  });
  afterAll(async () => ctx.close());

  it('login: the 6th attempt in the window is 429 RATE_LIMITED with Retry-After', async () => {
    for (let i = 0; i < 5; i += 1) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: `nobody${i}@example.com`, password: 'x' } });
      expect(res.statusCode).toBe(401);
    }
    const limited = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: 'nobody@example.com', password: 'x' } });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('register has its own, stricter bucket', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: newUserInput() });
      expect(res.statusCode).toBe(201);
    }
    const limited = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: newUserInput() });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('a client cannot pick its own bucket with X-Forwarded-For', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'x-forwarded-for': '198.51.100.7' }, payload: { identifier: 'a@b.co', password: 'x' } });
    expectProblem(res, 429, 'RATE_LIMITED');
  });
});

describe('failed-login throttle per identifier', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService({ LOGIN_FAILURE_MAX: '10' });
  });
  afterAll(async () => ctx.close());

  it('after 10 failures the identifier is locked out, for known and unknown accounts alike', async () => {
    const { input } = await registerUser(ctx.app);
    for (const identifier of [input.email, 'ghost@example.com']) {
      for (let i = 0; i < 10; i += 1) {
        const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password: 'Wrong-pass-1' } });
        expectProblem(res, 401, 'INVALID_CREDENTIALS');
      }
      const locked = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password: STRONG_PASSWORD } });
      const body = expectProblem(locked, 429, 'RATE_LIMITED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      expect(body.detail).not.toMatch(/exist|unknown|registered/i);
    }
    // Other identifiers are unaffected, and the lock is per identifier in any case.
    const other = await registerUser(ctx.app);
    const ok = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: other.input.username, password: STRONG_PASSWORD } });
    expect(ok.statusCode).toBe(200);
    const upper = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email.toUpperCase(), password: STRONG_PASSWORD } });
    expectProblem(upper, 429, 'RATE_LIMITED');
  });

  it('a successful login clears the failure count', async () => {
    const { input } = await registerUser(ctx.app);
    for (let i = 0; i < 9; i += 1) {
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: 'Wrong-pass-1' } });
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } })).statusCode).toBe(200);
    for (let i = 0; i < 9; i += 1) {
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: 'Wrong-pass-1' } });
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: STRONG_PASSWORD } })).statusCode).toBe(200);
  });
});

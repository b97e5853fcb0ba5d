import { median } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({ LOGIN_FAILURE_MAX: '1000', LOGIN_ACCOUNT_FREE_FAILURES: '1000' });
});
afterAll(async () => ctx.close());

async function timeLogin(identifier: string): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password: 'Wrong-password-1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  expect(res.statusCode).toBe(401);
  return ms;
}

describe('login timing', () => {
  it('an unknown identifier takes about as long as a known one with a wrong password', { timeout: 60_000 }, async () => {
    const { input } = await registerUser(ctx.app);
    // Warm up both paths (JIT, connection pool, argon2 thread pool).
    for (let i = 0; i < 3; i += 1) {
      await timeLogin(input.email);
      await timeLogin(`ghost${i}@example.com`);
    }
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, alternating which goes first, so machine noise hits both series alike.
    for (let i = 0; i < 40; i += 1) {
      if (i % 2 === 0) {
        known.push(await timeLogin(input.email));
        unknown.push(await timeLogin(`ghost-${i}@example.com`));
      } else {
        unknown.push(await timeLogin(`ghost-${i}@example.com`));
        known.push(await timeLogin(input.email));
      }
    }
    const k = median(known);
    const u = median(unknown);
    expect(Math.abs(u - k) / k, `known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`).toBeLessThan(0.2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './factories.js';
import { firstStep, totp, userWithMfa, verify } from './mfa-kit.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({ MFA_TOKEN_TTL: '1s', LOGIN_FAILURE_MAX: '7' });
});
afterAll(async () => ctx.close());

describe('mfaToken limits', () => {
  it('expires after MFA_TOKEN_TTL', async () => {
    const who = await userWithMfa(ctx.app);
    const mfaToken = await firstStep(ctx.app, who);
    await new Promise((r) => setTimeout(r, 1500));
    expectProblem(await verify(ctx.app, { mfaToken, code: await totp(who.secret) }), 401, 'MFA_TOKEN_INVALID');
  });

  it('wrong codes count on the account brute-force throttle, across mfaTokens', async () => {
    const who = await userWithMfa(ctx.app);
    for (let i = 0; i < 7; i += 1) {
      // Tokens live 1 s here: a fresh one for each guess.
      expectProblem(await verify(ctx.app, { mfaToken: await firstStep(ctx.app, who), code: '000000' }), 401, 'MFA_CODE_INVALID');
    }
    // Knowing the password does not forgive them: this IP is now refused on the account, for
    // passwords and codes alike.
    const limited = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: who.input.email, password: who.input.password } });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

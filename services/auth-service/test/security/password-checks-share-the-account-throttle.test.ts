import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, registerUser, STRONG_PASSWORD } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { loginFrom, statusCounts, WRONG_PASSWORD } from './guess-kit.js';

// Finding: DELETE /me checked the password with no throttle at all, so a stolen access token
// could guess the password there (40 tries and counting) and then close the account.
describe('every route that checks a password is behind the same per-account throttle', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService({ LOGIN_FAILURE_MAX: '10' });
  });
  afterAll(async () => ctx.close());

  const deleteMe = (accessToken: string, password: string, ip: string) =>
    ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(accessToken), payload: { password }, remoteAddress: ip });

  it('a stolen token cannot make 40 guesses on DELETE /me, nor then delete the account', async () => {
    const { input } = await registerUser(ctx.app);
    const stolen = await login(ctx.app, input.email);
    const guesses = [];
    for (let i = 0; i < 40; i += 1) guesses.push(await deleteMe(stolen.accessToken, `${WRONG_PASSWORD}${i}`, '192.0.2.66'));
    const counts = statusCounts(guesses);
    expect(counts[401] ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(10);
    expect(counts[429] ?? 0).toBeGreaterThanOrEqual(30);
    // Even the right password is refused from there now: the account survives.
    expectProblem(await deleteMe(stolen.accessToken, STRONG_PASSWORD, '192.0.2.66'), 429, 'RATE_LIMITED');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(stolen.accessToken) })).statusCode).toBe(200);
  });

  it('wrong guesses on DELETE /me and password/change count against login, and the other way round', async () => {
    const { input } = await registerUser(ctx.app);
    const session = await login(ctx.app, input.email);
    for (let i = 0; i < 5; i += 1) expectProblem(await deleteMe(session.accessToken, WRONG_PASSWORD, '192.0.2.77'), 401, 'INVALID_CREDENTIALS');
    for (let i = 0; i < 5; i += 1) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/password/change',
        headers: bearer(session.accessToken),
        payload: { currentPassword: WRONG_PASSWORD, newPassword: 'Quartz-Violin-Lantern-42' },
        remoteAddress: '192.0.2.77',
      });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    }
    expectProblem(await loginFrom(ctx.app, '192.0.2.77', input.email, STRONG_PASSWORD), 429, 'RATE_LIMITED');
  });
});

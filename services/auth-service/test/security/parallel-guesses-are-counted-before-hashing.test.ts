import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, login, registerUser } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { countingHasher, loginFrom, statusCounts, WRONG_PASSWORD } from './guess-kit.js';

// Finding: the throttle was read before hashing and written after, so N parallel guesses all
// passed the read and were all evaluated. A guess is now reserved (counted) atomically first.
// (A 503 can only come from the loaded test machine's database pool: it is no check either.)
describe('parallel password guesses against one account count as many guesses as they are', () => {
  let ctx: TestContext;
  let counter: Awaited<ReturnType<typeof countingHasher>>;
  beforeAll(async () => {
    counter = await countingHasher();
    ctx = await startAuthService({ LOGIN_FAILURE_MAX: '10' }, { hasher: counter.hasher });
  });
  afterAll(async () => ctx.close());

  it('100 parallel wrong logins: at most 10 password checks, the rest 429 before hashing', async () => {
    const { input } = await registerUser(ctx.app);
    counter.reset();
    const responses = await Promise.all(Array.from({ length: 100 }, () => loginFrom(ctx.app, '192.0.2.10', input.email)));
    const counts = statusCounts(responses);
    expect(counter.verifications).toBeLessThanOrEqual(10);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(10);
    expect(counts[429] ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(90 - (counts[503] ?? 0));
    expect((counts[401] ?? 0) + (counts[429] ?? 0) + (counts[503] ?? 0)).toBe(100);
    const refused = responses.find((r) => r.statusCode === 429);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('100 parallel wrong current passwords on password/change: at most 10 checks', async () => {
    const { input } = await registerUser(ctx.app);
    const session = await login(ctx.app, input.email);
    counter.reset();
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        ctx.app.inject({
          method: 'POST',
          url: '/v1/auth/password/change',
          headers: bearer(session.accessToken),
          payload: { currentPassword: WRONG_PASSWORD, newPassword: 'Quartz-Violin-Lantern-42' },
          remoteAddress: '192.0.2.20',
        }),
      ),
    );
    const counts = statusCounts(responses);
    expect(counter.verifications, JSON.stringify(counts)).toBeLessThanOrEqual(10);
    expect(counts[429] ?? 0).toBeGreaterThanOrEqual(90 - (counts[503] ?? 0));
    const refused = responses.find((r) => r.statusCode === 429);
    expect(refused).toBeDefined();
    if (refused) expectProblem(refused, 429, 'RATE_LIMITED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerUser, STRONG_PASSWORD } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { loginFrom } from './guess-kit.js';

// Finding: the argon2 queue was unbounded, so 200 concurrent wrong logins made a legitimate one
// wait behind all of them. Beyond a bounded queue the service now sheds load with a 503.
describe('the password-hashing queue is bounded', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService({ ARGON2_MAX_CONCURRENCY: '2', ARGON2_MAX_QUEUE: '8' });
  });
  afterAll(async () => ctx.close());

  it('200 concurrent wrong logins: 503 with Retry-After beyond the bound, and a real login gets through soon', async () => {
    const { input } = await registerUser(ctx.app);
    const finished: string[] = [];
    // Each guess targets another (unknown) account from another IP, so no throttle stands in front of the hasher.
    const flood = Array.from({ length: 200 }, async (_, i) => {
      const res = await loginFrom(ctx.app, `10.50.${Math.floor(i / 250)}.${(i % 250) + 1}`, `nobody-${i}@example.com`);
      finished.push(String(res.statusCode));
      return res;
    });
    const legitimate = (async () => {
      // A real client retries a 503 after a pause; the test pauses briefly instead of Retry-After.
      for (;;) {
        const res = await loginFrom(ctx.app, '10.60.0.1', input.email, STRONG_PASSWORD);
        if (res.statusCode !== 503) {
          finished.push('legitimate');
          return res;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const responses = await Promise.all(flood);
    const mine = await legitimate;
    expect(mine.statusCode, mine.body).toBe(200);

    const shed = responses.filter((r) => r.statusCode === 503);
    expect(shed.length).toBeGreaterThanOrEqual(150);
    const first = shed[0];
    if (first) {
      expectProblem(first, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(responses.every((r) => r.statusCode === 401 || r.statusCode === 503)).toBe(true);
    // Ordering, not wall-clock time: the real login waits for at most about a queue's worth of
    // guesses (8 queued + 2 running, plus flood requests still arriving as room frees up), never
    // for the whole flood (all 200 before the fix).
    const checkedBefore = finished.slice(0, finished.indexOf('legitimate')).filter((s) => s === '401').length;
    expect(checkedBefore, `${checkedBefore} guesses were checked before the real login`).toBeLessThanOrEqual(50);
  });
});

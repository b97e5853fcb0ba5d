import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserInput } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

// Finding: the password strength estimator ran on the event loop; a 128-character password with
// long names cost seconds of CPU per registration, and 10 of them froze every other request.
// Estimation now sees a capped input and runs in a worker thread.

/** Patterns that make zxcvbn's l33t, keyboard and sequence matchers do the most work. */
const worstCasePasswords = [
  `Aa1!${'4@8(<{[6|1!0$5+7%2'.repeat(7)}`.slice(0, 128),
  `Aa1!${'qwertyuiopasdfghjklzxcvbnm1234567890-='.repeat(4)}`.slice(0, 128),
  'P4$$w0rd!@3'.repeat(12).slice(0, 128),
];

describe('registration never blocks the event loop', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService();
  });
  afterAll(async () => ctx.close());

  it('10 concurrent worst-case registrations leave /healthz answering promptly', { timeout: 120_000 }, async () => {
    // Warm up the route and the worker so first-call compilation is not what is measured.
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: newUserInput() });
    const healthLatencies: number[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const started = performance.now();
        const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
        healthLatencies.push(performance.now() - started);
        expect(res.statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const registrations = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ctx.app.inject({
          method: 'POST',
          url: '/v1/auth/register',
          payload: newUserInput({
            password: worstCasePasswords[i % worstCasePasswords.length] ?? '',
            firstName: `Bartholomew${'-Maximilian'.repeat(8)}`.slice(0, 100),
            lastName: `Featherstonehaugh${'qwertyuiop'.repeat(9)}`.slice(0, 100),
          }),
        }),
      ),
    );
    running = false;
    await sampler;

    for (const res of registrations) expect(res.statusCode, res.body).toBe(201);
    const sorted = [...healthLatencies].sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Infinity;
    expect(sorted.length).toBeGreaterThan(20);
    // The target is 50 ms; the margin is for a loaded two-core test machine. Before the fix the
    // loop stalled for whole seconds.
    expect(p99, `p99 of ${sorted.length} /healthz samples`).toBeLessThan(100);
  });
});

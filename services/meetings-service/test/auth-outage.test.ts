import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, newUser, userData } from './factories.js';
import { startFakeAuthService } from './helpers/fake-auth-service.js';
import type { FakeAuthService } from './helpers/fake-auth-service.js';
import { SERVICE_KEY, startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let fake: FakeAuthService;
let ctx: MeetingsContext;
// Long enough that the open-phase checks finish before the half-open probe, even on a busy machine.
const RESET_MS = 1500;

beforeAll(async () => {
  fake = await startFakeAuthService(SERVICE_KEY);
  ctx = await startMeetingsService({
    AUTH_SERVICE_URL: fake.url,
    AUTH_CLIENT_RETRIES: '1',
    AUTH_CLIENT_BREAKER_VOLUME: '3',
    AUTH_CLIENT_BREAKER_THRESHOLD_PERCENT: '50',
    AUTH_CLIENT_BREAKER_RESET_MS: String(RESET_MS),
  });
});
afterAll(async () => {
  await ctx.close();
  await fake.stop();
});

const metricLine = async (prefix: string) => (await ctx.app.metrics.metrics()).split('\n').find((l) => l.startsWith(prefix));
const rejected = async () => Number((await metricLine('service_client_requests_total{name="auth-service",outcome="rejected"'))?.split(' ').at(-1) ?? 0);
const breakerGauge = async () => {
  const line = (await ctx.app.metrics.metrics()).split('\n').find((l) => l.startsWith('service_client_breaker_state{'));
  return Number(line?.split(' ').at(-1));
};

describe('the auth-service is down', () => {
  it('unknown users get 503 at once once the breaker opens; known users keep working; recovery is automatic', async () => {
    const known = await newUser(ctx.app, ctx.issuer);
    const strangerId = randomUUID();
    const stranger = bearer(await ctx.issuer.token(strangerId));
    const list = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers });

    // Failing: every lookup is retried, then answered 503 with Retry-After.
    fake.mode = 'unavailable';
    const first = await list(stranger);
    expectProblem(first, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(fake.requests).toBe(2);
    for (let i = 0; i < 5 && (await breakerGauge()) !== 2; i += 1) expectProblem(await list(stranger), 503, 'DEPENDENCY_UNAVAILABLE');
    expect(await breakerGauge()).toBe(2);

    // Open: nothing reaches the auth-service (still listening, counting), the answer is immediate.
    const calls = fake.requests;
    const rejectedBefore = await rejected();
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const res = await list(stranger);
      expect(performance.now() - started).toBeLessThan(250);
      expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(fake.requests).toBe(calls);
    expect((await rejected()) - rejectedBefore).toBe(10);
    // Then down completely: nothing listens at all.
    await fake.stop();
    expectProblem(await list(stranger), 503, 'DEPENDENCY_UNAVAILABLE');

    // Users the service knows never need the auth-service.
    for (let i = 0; i < 5; i += 1) expect((await list(known.headers)).statusCode).toBe(200);
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/meetings', headers: known.headers, payload: { title: 'Still here' } });
    expect(created.statusCode).toBe(201);

    // Back: after the reset timeout one probe goes through, succeeds, and the breaker closes.
    fake.users.set(strangerId, { id: strangerId, ...userData(), createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), deleted: false });
    fake.mode = 'serve';
    await fake.start();
    await new Promise((r) => setTimeout(r, RESET_MS + 100));
    expect(await breakerGauge()).toBe(1);
    const served = await list(stranger);
    expect(served.statusCode, served.body).toBe(200);
    expect(await breakerGauge()).toBe(0);
    expect(fake.requests).toBe(calls + 1);
  });

  it('with nothing listening at all, an unknown user gets 503, not 401 or 500', async () => {
    const dead = await startMeetingsService({ AUTH_SERVICE_URL: 'http://127.0.0.1:1' }, { share: ctx });
    try {
      const token = await ctx.issuer.token(randomUUID());
      expectProblem(await dead.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) }), 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      await dead.close();
    }
  });

  it('an id unknown to the auth-service is 401, and a disabled account 403, without opening the breaker', async () => {
    const ghost = bearer(await ctx.issuer.token(randomUUID()));
    for (let i = 0; i < 6; i += 1) expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: ghost }), 401, 'TOKEN_REVOKED');
    expect(await breakerGauge()).toBe(0);
    const disabledId = randomUUID();
    fake.users.set(disabledId, { id: disabledId, ...userData({ isActive: false }) });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(await ctx.issuer.token(disabledId)) }), 403, 'ACCOUNT_DISABLED');
  });
});

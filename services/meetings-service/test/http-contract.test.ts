import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, expectProblem, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let user: TestUser;
beforeAll(async () => {
  ctx = await startMeetingsService();
  user = await newUser(ctx.app, ctx.issuer);
});
afterAll(async () => ctx.close());

describe('operational routes', () => {
  it('/healthz and /readyz answer 200 with every dependency up', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'ok', schema: 'ok', signingKeys: 'ok', revocations: 'ok' },
    });
  });

  it('metrics: HTTP, breaker, retry and revocation-view figures, counters as counters; none on the API port', async () => {
    await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers });
    expect((await ctx.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const res = { body: await ctx.app.metrics.metrics() };
    for (const line of [
      'service_client_breaker_state{name="auth-service",service="meetings-service"} 0',
      '# TYPE service_client_retries_total counter',
      '# TYPE service_client_requests_total counter',
      'revocation_view_subscribed{service="meetings-service"} 1',
      '# TYPE revocation_view_subscriptions_total counter',
      '# TYPE revocation_view_revoked_sessions gauge',
      '# TYPE revocation_view_confirmed_sessions gauge',
      '# TYPE revocation_view_redis_checks_total counter',
      '# TYPE token_verifier_verifications_total counter',
      '# TYPE token_verifier_cache_hits_total counter',
      'http_request_duration_seconds_count{service="meetings-service",method="GET",route="/v1/meetings",status="200"}',
    ]) {
      expect(res.body).toContain(line);
    }
  });

  it('/docs/json documents every route, its error codes and the SSE stream', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/v1/meetings',
      '/v1/meetings/join',
      '/v1/meetings/{id}',
      '/v1/meetings/{id}/leave',
      '/v1/meetings/{id}/end',
      '/v1/meetings/{id}/participants',
      '/v1/meetings/{id}/events',
      '/internal/v1/users/{id}',
    ]) {
      expect(paths).toContain(p);
    }
    expect(Object.keys(doc.paths['/v1/meetings/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(Object.keys(doc.paths['/internal/v1/users/{id}'])).toEqual(expect.arrayContaining(['put', 'delete']));
    expect(Object.keys(doc.paths['/v1/meetings/join'].post.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(doc.paths['/v1/meetings'].post.description).toMatch(/scheduled/);
    expect(JSON.stringify(doc.paths['/v1/meetings/{id}/events'])).toContain('text/event-stream');
    for (const code of ['MEETING_FULL', 'MEETING_ENDED', 'HOST_CANNOT_LEAVE', 'DEPENDENCY_UNAVAILABLE']) expect(doc.info.description).toContain(code);
    expect((await ctx.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});

describe('HTTP contract', () => {
  it('every response carries x-request-id, the caller\'s when sane', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: { ...user.headers, 'x-request-id': 'req-42' } });
    expect(res.headers['x-request-id']).toBe('req-42');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/nope' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a body on a route that takes none → 415; a wrong content type → 415; too large → 413', async () => {
    const m = await createMeeting(ctx.app, user);
    expectProblem(await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: user.headers, payload: { now: true } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${m.id}`, headers: user.headers })).json().status).toBe('active');
    expectProblem(
      await ctx.app.inject({ method: 'POST', url: '/v1/meetings', headers: { ...user.headers, 'content-type': 'text/plain' }, payload: 'title=x' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await ctx.app.inject({ method: 'POST', url: '/v1/meetings', headers: user.headers, payload: { title: 'x', description: 'y'.repeat(70 * 1024) } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectProblem(
      await ctx.app.inject({ method: 'POST', url: '/v1/meetings', headers: { ...user.headers, 'content-type': 'application/json' }, payload: '{"title":' }),
      400,
      'MALFORMED_REQUEST',
    );
  });

  it('an anonymous caller gets 401 before any validation', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings/not-a-uuid' }), 401, 'UNAUTHENTICATED');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHENTICATED');
  });
});

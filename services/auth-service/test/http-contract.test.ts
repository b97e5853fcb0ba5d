import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, newUserInput, registerAndLogin } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({ CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => ctx.close());

describe('bodies: JSON only, bounded, never a 500', () => {
  it('malformed JSON → 400', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"identifier": ' });
    expectProblem(res, 400, 'MALFORMED_REQUEST');
  });

  it('wrong content type → 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': type }, payload: 'identifier=a&password=b' });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('JSON with a charset parameter is accepted', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(newUserInput()),
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('oversized body → 413', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...newUserInput(), firstName: 'x'.repeat(70 * 1024) }),
    });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body on a route that takes none → 415', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(tokens.accessToken), payload: { all: true } });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    // The session is untouched: the request was refused before the handler ran.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) })).statusCode).toBe(200);
  });

  it('an empty body with a JSON content type where a body is required → 400 with field errors', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('a JSON array or scalar where an object is expected → 400', async () => {
    for (const payload of ['[]', '42', '"x"', 'null']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('unknown routes → 404 problem', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/nope' }), 404, 'NOT_FOUND');
  });
});

describe('request ids', () => {
  it('echoes a sane caller id and replaces an insane one', async () => {
    const ok = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await ctx.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await ctx.app.inject({ method: 'GET', url: '/v1/nope' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operational routes', () => {
  it('/healthz and /readyz', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok', schema: 'ok' } });
  });

  it('request histograms by route pattern in the registry, and no /metrics on the API port', async () => {
    await ctx.app.inject({ method: 'GET', url: '/healthz' });
    const text = await ctx.app.metrics.metrics();
    expect(text).toMatch(/http_request_duration_seconds_count\{.*route="\/healthz".*\} \d+/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    // Served on METRICS_PORT only (test/metrics.test.ts), never to whoever reaches the API.
    expect((await ctx.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });

  it('/docs serves Swagger UI and /docs/json an OpenAPI 3.1 document with every route and error code', async () => {
    const ui = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    // Its own strict CSP, usable over the plain-http development ingress (no https upgrade).
    expect(ui.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(ui.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/auth/register',
      '/v1/auth/login',
      '/v1/auth/refresh',
      '/v1/auth/logout',
      '/v1/auth/logout-all',
      '/v1/auth/me',
      '/v1/auth/verify-token',
      '/v1/auth/sessions',
      '/v1/auth/sessions/{id}',
      '/.well-known/jwks.json',
      '/internal/v1/users/{id}',
      '/internal/v1/users',
      '/v1/auth/email/verify',
      '/v1/auth/email/resend',
      '/v1/auth/password/forgot',
      '/v1/auth/password/reset',
      '/v1/auth/password/change',
      '/v1/auth/oauth/google/start',
      '/v1/auth/oauth/google/callback',
      '/v1/auth/oauth/exchange',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(Object.keys(doc.paths['/v1/auth/me']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/v1/auth/register'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('password');
    for (const code of ['VALIDATION_FAILED', 'REFRESH_TOKEN_REUSED', 'EMAIL_TAKEN', 'RATE_LIMITED', 'DEPENDENCY_UNAVAILABLE']) {
      expect(doc.info.description).toContain(`\`${code}\``);
    }
  });
});

describe('security headers and CORS', () => {
  it('sets helmet headers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('allows a listed origin and refuses others', async () => {
    const allowed = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/v1/auth/login',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const foreign = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/v1/auth/login',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('client IPs', () => {
  it('ignore X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const { input } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      payload: { identifier: input.email, password: input.password },
    });
    const token = res.json().accessToken;
    const { items } = (await ctx.app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: bearer(token) })).json();
    expect(items.every((s: { ip: string }) => s.ip === '127.0.0.1')).toBe(true);
  });

  it('use the forwarded address through a trusted proxy', async () => {
    const proxied = await startAuthService({ TRUST_PROXY: '127.0.0.1/8' });
    try {
      const { input } = await registerAndLogin(proxied.app);
      const res = await proxied.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'x-forwarded-for': '203.0.113.9' },
        payload: { identifier: input.email, password: input.password },
      });
      const token = res.json().accessToken;
      const { items } = (await proxied.app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: bearer(token) })).json();
      expect(items.map((s: { ip: string }) => s.ip)).toContain('203.0.113.9');
    } finally {
      await proxied.close();
    }
  });
});

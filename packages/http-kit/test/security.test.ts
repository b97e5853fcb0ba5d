import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HELMET_OPTIONS, helmetHeaders, routeHelmet, security, writeHijackedHead } from '../src/index.js';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const ALLOWED = 'https://app.example';

async function securedApp(corsOrigins: string[] = [ALLOWED]) {
  const app = Fastify();
  apps.push(app);
  await app.register(security, { corsOrigins });
  app.get('/v1/me', async () => ({ email: 'ada@example.com' }));
  app.get('/internal/users/:id', async () => ({ id: 'u1' }));
  app.get('/v1/cacheable', async (_request, reply) => reply.header('cache-control', 'private, max-age=60').send({ ok: true }));
  app.get('/v1/events', async (_request, reply) => reply.header('cache-control', 'no-cache, no-transform').send('data: x\n\n'));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/public/cached', async (_request, reply) => reply.header('cache-control', 'public, max-age=60').send({ ok: true }));
  app.get('/public/bad', async (_request, reply) => reply.status(400).send({ code: 'BAD' }));
  app.get('/public/moved', async (_request, reply) => reply.redirect('/healthz', 302));
  await app.ready();
  return app;
}

describe('CORS: exact origins only', () => {
  it('lets a listed origin read answers, with the headers a client needs and no credentials', async () => {
    const app = await securedApp();
    const res = await app.inject({ method: 'GET', url: '/v1/me', headers: { origin: ALLOWED } });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']).toBe('x-request-id, retry-after, www-authenticate');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers a listed origin\'s preflight with the allowed methods, headers and cache time', async () => {
    const app = await securedApp();
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/me',
      headers: { origin: ALLOWED, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type, x-request-id');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives any other origin, a look-alike, "null" and a request without Origin nothing', async () => {
    const app = await securedApp();
    for (const origin of ['https://evil.example', `${ALLOWED}.evil.example`, 'http://app.example', 'null', undefined]) {
      const headers = origin === undefined ? {} : { origin };
      const res = await app.inject({ method: 'GET', url: '/v1/me', headers });
      expect(res.headers['access-control-allow-origin'], String(origin)).toBeUndefined();
      const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { ...headers, 'access-control-request-method': 'POST' } });
      expect(preflight.headers['access-control-allow-origin'], String(origin)).toBeUndefined();
    }
  });

  it('with no origins configured allows no cross-origin access at all', async () => {
    const app = await securedApp([]);
    for (const origin of [ALLOWED, 'null']) {
      const res = await app.inject({ method: 'GET', url: '/v1/me', headers: { origin } });
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });
});

describe('security headers', () => {
  it('keeps resources to the site and leaves the content security policy to the HTML pages', async () => {
    const app = await securedApp();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['cross-origin-resource-policy']).toBe('same-site');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('sends exactly the headers @fastify/helmet sends with the same options, on answers and errors', async () => {
    const reference = Fastify();
    apps.push(reference);
    await reference.register(fastifyHelmet, HELMET_OPTIONS);
    reference.get('/healthz', async () => ({ ok: true }));
    const expected = (await reference.inject({ method: 'GET', url: '/healthz' })).headers;
    const names = helmetHeaders(HELMET_OPTIONS).set.map(([name]) => name.toLowerCase());
    expect(names.length).toBeGreaterThanOrEqual(10);
    const app = await securedApp();
    for (const url of ['/healthz', '/v1/me', '/public/bad', '/nowhere']) {
      const res = await app.inject({ method: 'GET', url });
      for (const name of names) expect(res.headers[name], `${url} ${name}`).toBe(expected[name]);
    }
  });

  it('removes what helmet removes (X-Powered-By), as helmet does', async () => {
    expect(helmetHeaders(HELMET_OPTIONS).remove).toEqual(['X-Powered-By']);
    const app = Fastify();
    apps.push(app);
    // Set before the security hook runs, as a framework or proxy layer might.
    app.addHook('onRequest', (_request, reply, done) => {
      reply.raw.setHeader('X-Powered-By', 'Express');
      done();
    });
    await app.register(security, { corsOrigins: [] });
    app.get('/healthz', async () => ({ ok: true }));
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends them on a reply that takes over the socket through writeHijackedHead', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(security, { corsOrigins: [] });
    app.get('/v1/stream', (_request, reply) => {
      writeHijackedHead(reply, 200, { 'content-type': 'text/plain' }).end('raw');
    });
    const res = await app.inject({ method: 'GET', url: '/v1/stream' });
    expect(res.body).toBe('raw');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-site');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('puts them on the reply, so nothing is set on the raw response before its head is written', async () => {
    // One header on the raw response sends Node's writeHead down its slow path, where every
    // header of the reply is set again one by one.
    const app = Fastify();
    apps.push(app);
    await app.register(security, { corsOrigins: [] });
    app.get('/v1/me', async (_request, reply) => ({ raw: reply.raw.getHeaderNames(), reply: reply.getHeader('x-content-type-options') }));
    const res = await app.inject({ method: 'GET', url: '/v1/me' });
    expect(res.json()).toEqual({ raw: [], reply: 'nosniff' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lets a route in a routeHelmet scope set its own helmet options, or none, through the plugin', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(security, { corsOrigins: [] });
    await app.register(async (scope) => {
      await scope.register(routeHelmet);
      scope.get('/framed', { helmet: { frameguard: { action: 'deny' } } }, async () => ({ ok: true }));
      scope.get('/bare', { helmet: false }, async () => ({ ok: true }));
      scope.get('/scoped-default', async (_request, reply) => ({ helmet: typeof reply.helmet }));
    });
    app.get('/default', async (_request, reply) => ({ helmet: typeof reply.helmet }));
    const framed = await app.inject({ method: 'GET', url: '/framed' });
    expect(framed.headers['x-frame-options']).toBe('DENY');
    expect(framed.headers['cross-origin-resource-policy']).toBe('same-site');
    const bare = await app.inject({ method: 'GET', url: '/bare' });
    expect(bare.headers['x-frame-options']).toBeUndefined();
    expect(bare.headers['x-content-type-options']).toBeUndefined();
    const scopedDefault = await app.inject({ method: 'GET', url: '/scoped-default' });
    expect(scopedDefault.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(scopedDefault.json()).toEqual({ helmet: 'function' });
    // Outside the scope the plugin's per-request hooks do not run at all: no reply.helmet.
    const outside = await app.inject({ method: 'GET', url: '/default' });
    expect(outside.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(outside.json()).toEqual({ helmet: 'undefined' });
  });

  it('refuses at startup a route that sets helmet options outside a routeHelmet scope', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(security, { corsOrigins: [] });
    expect(() => app.get('/framed', { helmet: { frameguard: { action: 'deny' } } }, async () => ({ ok: true }))).toThrow(
      'Route GET /framed sets its own helmet options outside a scope that registers routeHelmet',
    );
    await expect(
      app.register(async (scope) => {
        scope.get('/bare', { helmet: false }, async () => ({ ok: true }));
      }),
    ).rejects.toThrow('Route GET /bare sets its own helmet options');
  });
});

describe('no-store on private answers', () => {
  it('forbids caching of everything under /v1/ and /internal/, and of every error', async () => {
    const app = await securedApp();
    for (const url of ['/v1/me', '/v1/cacheable', '/internal/users/u1', '/public/bad', '/nowhere', '/v1/nowhere']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('keeps an event stream\'s no-transform', async () => {
    const app = await securedApp();
    const res = await app.inject({ method: 'GET', url: '/v1/events' });
    expect(res.headers['cache-control']).toBe('no-store, no-transform');
  });

  it('leaves operational and public routes, and redirects, their own policy', async () => {
    const app = await securedApp();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).headers['cache-control']).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/public/cached' })).headers['cache-control']).toBe('public, max-age=60');
    const moved = await app.inject({ method: 'GET', url: '/public/moved' });
    expect(moved.statusCode).toBe(302);
    expect(moved.headers['cache-control']).toBeUndefined();
  });
});

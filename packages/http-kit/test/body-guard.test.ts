import { request } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, bodyGuard } from '../src/index.js';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function guardedApp() {
  const app = Fastify();
  apps.push(app);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) return reply.status(error.status).send({ code: error.code, detail: error.detail });
    const { statusCode, code } = error as { statusCode?: number; code?: string };
    return reply.status(statusCode ?? 500).send({ code: code ?? 'UNEXPECTED' });
  });
  await app.register(bodyGuard);
  // The guard only looks at whether a route declares a body schema; validation is not under test.
  app.setValidatorCompiler(() => () => true);
  app.post('/with-body', { schema: { body: { type: 'object' } } }, async (request) => ({ body: request.body ?? null }));
  app.post('/no-body', async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('bodyGuard', () => {
  it('parses a JSON body, whatever its content-type parameters', async () => {
    const app = await guardedApp();
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const res = await app.inject({ method: 'POST', url: '/with-body', headers: { 'content-type': type }, payload: '{"a":1}' });
      expect(res.json()).toEqual({ body: { a: 1 } });
    }
  });

  it('treats an empty or blank JSON body as no body, not a parse error', async () => {
    const app = await guardedApp();
    for (const payload of ['', '  \n ']) {
      const res = await app.inject({ method: 'POST', url: '/with-body', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, JSON.stringify(payload)).not.toBe(400);
      expect(res.json()).not.toHaveProperty('code', 'MALFORMED_REQUEST');
    }
  });

  it('answers malformed JSON with MALFORMED_REQUEST', async () => {
    const app = await guardedApp();
    const res = await app.inject({ method: 'POST', url: '/with-body', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'MALFORMED_REQUEST', detail: 'The body is not valid JSON' });
  });

  it('refuses every other content type with 415', async () => {
    const app = await guardedApp();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await app.inject({ method: 'POST', url: '/with-body', headers: { 'content-type': type }, payload: 'a=1' });
      expect(res.statusCode, type).toBe(415);
    }
  });

  it('refuses a body sent to a route that takes none, before reading it', async () => {
    const app = await guardedApp();
    const problem = { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'This route takes no request body' };
    const sized = await app.inject({ method: 'POST', url: '/no-body', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(sized.statusCode).toBe(415);
    expect(sized.json()).toEqual(problem);
    const chunked = await app.inject({
      method: 'POST',
      url: '/no-body',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: '2\r\n{}\r\n0\r\n\r\n',
    });
    expect(chunked.json()).toEqual(problem);
  });

  it('refuses a chunked body (no content-length) on a route that takes none', async () => {
    const app = await guardedApp();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const url = new URL('/no-body', address);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // Written in two pieces without a length, node sends Transfer-Encoding: chunked.
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{');
      req.end('}');
    });
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.body)).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'This route takes no request body' });
  });

  it('lets body-less requests through, including an explicit zero length', async () => {
    const app = await guardedApp();
    expect((await app.inject({ method: 'POST', url: '/no-body' })).json()).toEqual({ ok: true });
    const zero = await app.inject({ method: 'POST', url: '/no-body', headers: { 'content-length': '0' } });
    expect(zero.json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'POST', url: '/with-body' })).json()).toEqual({ body: null });
  });

  it('does not turn an unknown route into a 415', async () => {
    const app = await guardedApp();
    const res = await app.inject({ method: 'POST', url: '/nowhere', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(404);
  });
});

import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError, DEV_SERVICE_KEY, SERVICE_KEY_HEADER, isLoopback, serviceKeyGuard } from '../src/index.js';

async function guarded(keys: string[], trustProxy = false) {
  const app = Fastify({ trustProxy });
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof AppError)) return reply.status(500).send({ code: 'OTHER' });
    return reply.status(error.status).send({ code: error.code, detail: error.message });
  });
  app.get('/internal/x', { onRequest: serviceKeyGuard(keys) }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('serviceKeyGuard', () => {
  it('reads only the x-service-key header', () => {
    expect(SERVICE_KEY_HEADER).toBe('x-service-key');
  });

  it('refuses a missing, empty, repeated or wrong key with a coded 401 and says what is needed', async () => {
    const app = await guarded(['current-key', 'next-key']);
    const cases: Record<string, string | string[]>[] = [
      {},
      { 'x-service-key': '' },
      { 'x-service-key': 'current-ke' },
      { 'x-service-key': ['current-key', 'current-key'] },
      { authorization: 'Bearer current-key' },
    ];
    for (const headers of cases) {
      const res = await app.inject({ method: 'GET', url: '/internal/x', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'UNAUTHENTICATED', detail: 'A valid X-Service-Key is required' });
    }
    for (const key of ['current-key', 'next-key']) {
      const res = await app.inject({ method: 'GET', url: '/internal/x', headers: { 'x-service-key': key } });
      expect(res.json()).toEqual({ ok: true });
    }
    await app.close();
  });
});

describe('the built-in development key', () => {
  it('counts as loopback: 127.0.0.0/8, ::1 and IPv4-mapped loopback, nothing else', () => {
    for (const address of ['127.0.0.1', '127.255.10.2', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address), address).toBe(true);
    for (const address of [undefined, '', '10.0.0.1', '128.0.0.1', '1.127.0.0', '::2', '::ffff:10.0.0.1', 'x::1', '0:0:0:0:0:0:0:2']) {
      expect(isLoopback(address), String(address)).toBe(false);
    }
  });

  it('is accepted only from loopback, judged by the socket and by the client address behind trusted proxies', async () => {
    const app = await guarded([DEV_SERVICE_KEY, 'real-key']);
    const call = (key: string, remoteAddress: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url: '/internal/x', remoteAddress, headers: { 'x-service-key': key, ...headers } });
    expect((await call(DEV_SERVICE_KEY, '127.0.0.1')).statusCode).toBe(200);
    expect((await call(DEV_SERVICE_KEY, '::ffff:127.0.0.1')).statusCode).toBe(200);
    expect((await call(DEV_SERVICE_KEY, '203.0.113.5')).statusCode).toBe(401);
    // A configured real key works from anywhere.
    expect((await call('real-key', '203.0.113.5')).statusCode).toBe(200);
    await app.close();

    const proxied = await guarded([DEV_SERVICE_KEY], true);
    const relayed = await proxied.inject({
      method: 'GET',
      url: '/internal/x',
      remoteAddress: '127.0.0.1', // a local proxy...
      headers: { 'x-service-key': DEV_SERVICE_KEY, 'x-forwarded-for': '203.0.113.5' }, // ...relaying a remote caller
    });
    expect(relayed.statusCode).toBe(401);
    expect(relayed.json()).toEqual({ code: 'UNAUTHENTICATED', detail: 'A valid X-Service-Key is required' });
    await proxied.close();
  });

  it('is refused even from loopback when it is not among the configured keys', async () => {
    const app = await guarded(['real-key']);
    const res = await app.inject({ method: 'GET', url: '/internal/x', remoteAddress: '127.0.0.1', headers: { 'x-service-key': DEV_SERVICE_KEY } });
    expect(res.statusCode).toBe(401);
    await app.close();
  });
});

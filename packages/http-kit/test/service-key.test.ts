import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError, SERVICE_KEY_HEADER, serviceKeyGuard } from '../src/index.js';

async function guarded(keys: string[]) {
  const app = Fastify();
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

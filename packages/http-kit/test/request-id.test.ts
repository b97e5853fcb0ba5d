import { currentRequestId, currentRequestOrigin } from '@authmeet/telemetry';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { genReqId, requestId } from '../src/index.js';

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function appWithIds() {
  const app = Fastify({ genReqId, trustProxy: false });
  apps.push(app);
  await app.register(requestId);
  app.get('/who', async () => ({ id: currentRequestId(), origin: currentRequestOrigin() }));
  await app.ready();
  return app;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it("echoes a caller's short, plain id and makes it the request's id", async () => {
    const app = await appWithIds();
    for (const given of ['abc-123', 'A.b_c:d-9', 'Zz0', 'x', 'a'.repeat(128)]) {
      const res = await app.inject({ method: 'GET', url: '/who', headers: { 'x-request-id': given } });
      expect(res.headers['x-request-id'], given).toBe(given);
      expect(res.json().id).toBe(given);
    }
  });

  it('replaces an id that could inject into logs, or is empty or too long, with a fresh UUID', async () => {
    const app = await appWithIds();
    const refused = ['', 'a'.repeat(129), 'abc\ndef', 'abc def', 'abc"}', 'évé', 'a/b', 'id\u0000', '\nabc', 'abc\n'];
    for (const given of refused) {
      // inject refuses header values Node would refuse on the wire; those never reach the guard.
      const fromWire = genReqId({ headers: { 'x-request-id': given } } as never);
      expect(fromWire, JSON.stringify(given)).toMatch(UUID);
    }
    const res = await app.inject({ method: 'GET', url: '/who', headers: { 'x-request-id': 'a'.repeat(129) } });
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.json().id).toBe(res.headers['x-request-id']);
    const none = await app.inject({ method: 'GET', url: '/who' });
    expect(none.headers['x-request-id']).toMatch(UUID);
    expect(genReqId({ headers: { 'x-request-id': ['a', 'b'] } } as never)).toMatch(UUID);
    const fresh = new Set(Array.from({ length: 5 }, () => genReqId({ headers: {} } as never)));
    expect(fresh.size).toBe(5);
  });

  it("carries the request's client address and user agent, the agent cut to 256 characters", async () => {
    const app = await appWithIds();
    const long = await app.inject({ method: 'GET', url: '/who', headers: { 'user-agent': `UA/${'x'.repeat(400)}` }, remoteAddress: '203.0.113.7' });
    expect(long.json().origin).toEqual({ ip: '203.0.113.7', userAgent: `UA/${'x'.repeat(253)}` });
    const without = await app.inject({ method: 'GET', url: '/who', headers: { 'user-agent': undefined } });
    expect(without.json().origin).toEqual({ ip: '127.0.0.1', userAgent: null });
  });
});

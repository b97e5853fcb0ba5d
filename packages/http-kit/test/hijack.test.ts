import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { drain } from '../src/drain.js';
import { genReqId, requestId, security, writeHijackedHead } from '../src/index.js';

/**
 * A hijacked reply skips the onSend hooks: `writeHijackedHead` must still send what they and
 * the onRequest hooks give an ordinary answer. Checked on the wire (a real socket), since a
 * hijacked reply is not what `inject` reports headers from.
 */
const ALLOWED = 'https://app.example';
const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function app() {
  const a = Fastify({ genReqId });
  apps.push(a);
  await a.register(requestId);
  await a.register(security, { corsOrigins: [ALLOWED] });
  await a.register(drain);
  a.get('/v1/plain', async () => ({ ok: true }));
  a.get('/v1/stream', async (_request, reply) => {
    const res = writeHijackedHead(reply, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' });
    res.end('data: x\n\n');
    return reply;
  });
  a.get('/public/stream', async (_request, reply) => {
    writeHijackedHead(reply, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).end('data: x\n\n');
    return reply;
  });
  a.get('/v1/stream-during-drain', async (_request, reply) => {
    // SIGTERM arrives after the request passed the drain's onRequest check.
    a.drain.begin();
    writeHijackedHead(reply, 200, { 'content-type': 'text/event-stream' }).end('data: x\n\n');
    return reply;
  });
  await a.listen({ port: 0, host: '127.0.0.1' });
  return { app: a, base: `http://127.0.0.1:${(a.server.address() as AddressInfo).port}` };
}

describe('writeHijackedHead', () => {
  it('sends the security, CORS and request-id headers of an ordinary answer, and its own', async () => {
    const { base } = await app();
    const plain = await fetch(`${base}/v1/plain`, { headers: { origin: ALLOWED } });
    await plain.text();
    const hijacked = await fetch(`${base}/v1/stream`, { headers: { origin: ALLOWED, 'x-request-id': 'req-42' } });
    expect(hijacked.status).toBe(200);
    expect(await hijacked.text()).toBe('data: x\n\n');
    const own = new Set(['content-type', 'content-length', 'transfer-encoding', 'x-request-id', 'date', 'keep-alive', 'connection', 'cache-control']);
    const names = [...plain.headers.keys()].filter((name) => !own.has(name));
    expect(names).toEqual(expect.arrayContaining(['x-content-type-options', 'x-frame-options', 'strict-transport-security', 'access-control-allow-origin']));
    for (const name of names) expect([name, hijacked.headers.get(name)]).toEqual([name, plain.headers.get(name)]);
    expect(hijacked.headers.get('x-request-id')).toBe('req-42');
    expect(hijacked.headers.get('content-type')).toBe('text/event-stream');
    // The onSend cache policy: no-store on /v1/, keeping an event stream's no-transform.
    expect(hijacked.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(hijacked.headers.get('connection')).toBe('keep-alive');
  });

  it('leaves the cache policy of a route outside /v1/ and /internal/ alone', async () => {
    const { base } = await app();
    const res = await fetch(`${base}/public/stream`);
    await res.text();
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('says connection: close when the drain began while the request was in its handler', async () => {
    const { base } = await app();
    const res = await fetch(`${base}/v1/stream-during-drain`);
    expect(await res.text()).toBe('data: x\n\n');
    expect(res.headers.get('connection')).toBe('close');
  });
});

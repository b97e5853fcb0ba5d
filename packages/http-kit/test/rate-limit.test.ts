import { createTestRedis, freePort, uniqueRedisPrefix } from '@authmeet/test-kit';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AppError, healthRoutes, rateLimits } from '../src/index.js';
import type { RedisClient } from '../src/index.js';

const prefix = uniqueRedisPrefix('http-kit-rate-limit');
const clients: RedisClient[] = [];
const apps: ReturnType<typeof Fastify>[] = [];
let label = 0;

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  const admin = createTestRedis();
  try {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  } finally {
    admin.disconnect();
  }
});

/** An app limited to `globalMax` requests per minute per client, counting in Redis under its own prefix. */
async function limitedApp(globalMax: number, redis?: RedisClient) {
  label += 1;
  const client = redis ?? createTestRedis({ keyPrefix: `${prefix}${label}:` });
  clients.push(client);
  const errors: AppError[] = [];
  const app = Fastify({ trustProxy: false });
  apps.push(app);
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof AppError)) return reply.status(500).send({ code: 'UNEXPECTED' });
    errors.push(error);
    return reply.status(error.status).send({ code: error.code, detail: error.detail });
  });
  await app.register(rateLimits, { redis: client, globalMax, windowSec: 60 });
  app.get('/v1/x', async () => ({ ok: true }));
  app.get('/v1/strict', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({ ok: true }));
  await app.register(healthRoutes, { checks: {} });
  app.get('/metrics', async () => ({ ok: true }));
  await app.ready();
  const get = (url: string, remoteAddress = '203.0.113.1', headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, remoteAddress, headers });
  return { app, client, errors, get, keyPrefix: `${prefix}${label}:` };
}

describe('rate limits', () => {
  it('refuses the request past the limit with RATE_LIMITED and when to retry', async () => {
    const { get, errors } = await limitedApp(3);
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/x')).statusCode).toBe(200);
    const refused = await get('/v1/x');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ code: 'RATE_LIMITED', detail: 'Rate limit exceeded, retry in 1 minute' });
    const retryAfter = errors[0]?.retryAfter ?? 0;
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts per client address, which a client cannot choose with X-Forwarded-For', async () => {
    const { get } = await limitedApp(2);
    for (let i = 0; i < 2; i += 1) expect((await get('/v1/x', '203.0.113.1')).statusCode).toBe(200);
    expect((await get('/v1/x', '203.0.113.1', { 'x-forwarded-for': '198.51.100.9' })).statusCode).toBe(429);
    expect((await get('/v1/x', '203.0.113.2')).statusCode).toBe(200);
  });

  it('keeps the counts in Redis, so every replica counts together', async () => {
    const first = await limitedApp(2);
    const second = await limitedApp(2, createTestRedis({ keyPrefix: first.keyPrefix }));
    expect((await first.get('/v1/x')).statusCode).toBe(200);
    expect((await second.get('/v1/x')).statusCode).toBe(200);
    expect((await first.get('/v1/x')).statusCode).toBe(429);
    expect(await first.client.exists('rl:203.0.113.1')).toBe(1);
  });

  it('applies a route\'s stricter limit, and never limits the operational routes', async () => {
    const { get } = await limitedApp(3);
    expect((await get('/v1/strict')).statusCode).toBe(200);
    expect((await get('/v1/strict')).statusCode).toBe(429);
    for (let i = 0; i < 6; i += 1) {
      for (const url of ['/healthz', '/readyz', '/metrics']) expect((await get(url)).statusCode, url).toBe(200);
    }
    expect((await get('/v1/x')).statusCode).toBe(200);
  });

  it('lets requests through while Redis is unreachable (routes that need Redis fail on their own)', async () => {
    const down = new Redis({ port: await freePort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    const { get } = await limitedApp(1, down);
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/x')).statusCode).toBe(200);
  });
});

import { createTestRedis, deleteTestRedisKeys, freePort, uniqueRedisPrefix } from '@authmeet/test-kit';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
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

afterAll(() => deleteTestRedisKeys(prefix));

/** An app limited to `globalMax` requests per minute per client, counting in Redis under its own prefix. */
async function limitedApp(globalMax: number, redis?: RedisClient, opts: { syncMs?: number; windowSec?: number } = {}) {
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
  await app.register(rateLimits, { redis: client, globalMax, windowSec: opts.windowSec ?? 60, ...(opts.syncMs === undefined ? {} : { syncMs: opts.syncMs }) });
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

  it('under half the limit counts in memory and adds the counts to Redis once per sync, not once per request', async () => {
    const { get, client } = await limitedApp(1000, undefined, { syncMs: 500 });
    const calls = vi.spyOn(client, 'evalsha');
    for (let i = 0; i < 40; i += 1) expect((await get('/v1/x')).statusCode).toBe(200);
    // The first request opens the window in Redis; the rest wait for the next sync.
    expect(calls.mock.calls.length).toBeLessThanOrEqual(3);
    await vi.waitFor(async () => expect(await client.get('rl:203.0.113.1')).toBe('40'), { timeout: 3000, interval: 20 });
    expect(calls.mock.calls.length).toBeLessThanOrEqual(4);
    expect(await client.pttl('rl:203.0.113.1')).toBeGreaterThan(50_000);
  });

  it('holds the counts until the sync it is given, and sends them when the app closes', async () => {
    const { app, get, client } = await limitedApp(1000, undefined, { syncMs: 3_600_000 });
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/x')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await client.get('rl:203.0.113.1')).toBe('1');
    await app.close();
    expect(await client.get('rl:203.0.113.1')).toBe('3');
  });

  it('from half the limit on counts every request in Redis, so replicas that never synced still refuse exactly at the limit', async () => {
    const first = await limitedApp(10, undefined, { syncMs: 3_600_000 });
    const second = await limitedApp(10, createTestRedis({ keyPrefix: first.keyPrefix }), { syncMs: 3_600_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      statuses.push((await first.get('/v1/x')).statusCode, (await second.get('/v1/x')).statusCode);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
  });

  it('a client can pass the limit across replicas by at most half of it per other replica, and only until the next sync', async () => {
    const first = await limitedApp(10, undefined, { syncMs: 3_600_000 });
    const second = await limitedApp(10, createTestRedis({ keyPrefix: first.keyPrefix }), { syncMs: 3_600_000 });
    let admitted = 0;
    // The first replica counts five in memory (under half the limit) that Redis has not seen yet...
    for (let i = 0; i < 5; i += 1) if ((await first.get('/v1/x')).statusCode === 200) admitted += 1;
    // ...so the second one admits until Redis's count reaches the limit.
    for (let i = 0; i < 15; i += 1) if ((await second.get('/v1/x')).statusCode === 200) admitted += 1;
    expect(admitted).toBeLessThanOrEqual(10 + 5);
    // Past half the limit the first replica asks Redis, which now has every request.
    expect((await first.get('/v1/x')).statusCode).toBe(429);
  });

  it('each replica learns the others\' counts at its next sync', async () => {
    const first = await limitedApp(100, undefined, { syncMs: 50 });
    const second = await limitedApp(100, createTestRedis({ keyPrefix: first.keyPrefix }), { syncMs: 50 });
    for (let i = 0; i < 3; i += 1) {
      await first.get('/v1/x');
      await second.get('/v1/x');
    }
    await vi.waitFor(async () => expect(await first.client.get('rl:203.0.113.1')).toBe('6'), { timeout: 3000, interval: 20 });
    // The first replica's next sync brings Redis's count back with it.
    await first.get('/v1/x');
    await vi.waitFor(async () => expect(await first.client.get('rl:203.0.113.1')).toBe('7'), { timeout: 3000, interval: 20 });
    expect((await first.get('/v1/x')).headers['x-ratelimit-remaining']).toBe('92');
  });

  it('a new window starts the count again', async () => {
    const { get } = await limitedApp(2, undefined, { windowSec: 1 });
    expect((await get('/v1/x')).statusCode).toBe(200);
    expect((await get('/v1/x')).statusCode).toBe(200);
    expect((await get('/v1/x')).statusCode).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await get('/v1/x')).statusCode).toBe(200);
  });

  it('lets requests through while Redis is unreachable (routes that need Redis fail on their own)', async () => {
    const down = new Redis({ port: await freePort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    const { get } = await limitedApp(1, down);
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/x')).statusCode).toBe(200);
  });
});

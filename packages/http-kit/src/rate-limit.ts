import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';
import { batchedRedisStore } from './rate-limit-store.js';
import type { RedisClient } from './redis.js';

export interface RateLimitOptions {
  redis: RedisClient;
  /** Requests per window per client IP, for every route that sets no stricter limit. */
  globalMax: number;
  windowSec: number;
  /** How often each replica adds the generic counts it made to Redis (rate-limit-store.ts); 100 ms. */
  syncMs?: number;
}

/** Clients each replica follows locally at once (a few hundred bytes each). */
const MAX_LOCAL_CLIENTS = 10_000;

/**
 * Per-IP limits kept in Redis so every replica counts together. The key is `request.ip`, which
 * honours X-Forwarded-For only through proxies TRUST_PROXY names: a client cannot choose its
 * own bucket. Routes tighten it with `config: { rateLimit: { max } }`: those limits are counted in
 * Redis request by request. The generic one is counted locally under half the limit and added
 * to Redis every `syncMs`, exact from half the limit on (`batchedRedisStore`, which says what that
 * trades).
 */
async function rateLimitPlugin(app: FastifyInstance, opts: RateLimitOptions) {
  const store = batchedRedisStore({ redis: opts.redis, nameSpace: 'rl:', syncMs: opts.syncMs ?? 100, maxClients: MAX_LOCAL_CLIENTS });
  // A replica that stops sends what it counted since the last sync (Redis closes after this).
  app.addHook('preClose', async () => store.flush());
  await app.register(rateLimit, {
    global: true,
    max: opts.globalMax,
    timeWindow: opts.windowSec * 1000,
    store,
    // The generic limit prefers availability if Redis hiccups; routes whose work needs Redis
    // (login, refresh) fail closed on their own.
    skipOnError: true,
    keyGenerator: (request) => request.ip,
    // The probes opt out themselves (`rateLimit: false` in health.ts); the scrape is named here.
    allowList: (request) => request.url === '/metrics',
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { detail: `Rate limit exceeded, retry in ${context.after}`, retryAfter: context.ttl / 1000 }),
  });
}

export const rateLimits = fp(rateLimitPlugin, { name: 'authmeet-rate-limit', fastify: '5.x' });

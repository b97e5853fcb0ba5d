import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';
import type { RedisClient } from './redis.js';

export interface RateLimitOptions {
  redis: RedisClient;
  /** Requests per window per client IP, for every route that sets no stricter limit. */
  globalMax: number;
  windowSec: number;
}

/**
 * Per-IP limits kept in Redis so every replica counts together. The key is `request.ip`, which
 * honours X-Forwarded-For only through proxies TRUST_PROXY names: a client cannot choose its
 * own bucket. Routes tighten it with `config: { rateLimit: { max } }`.
 */
async function rateLimitPlugin(app: FastifyInstance, opts: RateLimitOptions) {
  await app.register(rateLimit, {
    global: true,
    max: opts.globalMax,
    timeWindow: opts.windowSec * 1000,
    redis: opts.redis,
    nameSpace: 'rl:',
    // The generic limit prefers availability if Redis hiccups; routes whose work needs Redis
    // (login, refresh) fail closed on their own.
    skipOnError: true,
    keyGenerator: (request) => request.ip,
    allowList: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.url),
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { detail: `Rate limit exceeded, retry in ${context.after}`, retryAfter: context.ttl / 1000 }),
  });
}

export const rateLimits = fp(rateLimitPlugin, { name: 'authmeet-rate-limit', fastify: '5.x' });

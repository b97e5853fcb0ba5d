import type { AppError } from '@authmeet/http-kit';
import { toAppError } from '@authmeet/http-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { sessionKey } from '../modules/sessions/sessions.repository.js';

export interface AuthMetricsOptions {
  keyPrefix: string;
  mapError: (error: unknown) => AppError | undefined;
  /** How long a counted number of sessions is reused; counting scans Redis. */
  sessionsCountTtlMs?: number;
}

/**
 * The routes that authenticate someone, by route pattern: counting here, at the HTTP boundary,
 * sees every way an attempt ends (rate limit, validation, lock-out, success) without touching
 * the login logic itself.
 */
const ATTEMPT_ROUTES: Record<string, string> = {
  '/v1/auth/login': 'password',
  '/v1/auth/refresh': 'refresh',
  '/v1/auth/oauth/exchange': 'google',
};

const failureCode = new WeakMap<FastifyRequest, string>();

/** Counts session hashes with SCAN on every master: O(keys), so only ever in the background. */
async function countSessions(redis: Redis | Cluster, pattern: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let total = 0;
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match: pattern, count: 1000 })) total += (keys as string[]).length;
  }
  return total;
}

async function authMetricsPlugin(app: FastifyInstance, opts: AuthMetricsOptions) {
  const attempts = new Counter({
    name: 'auth_attempts_total',
    help: 'Authentication attempts by method (password, refresh, google), outcome and reason (an error code, or none)',
    labelNames: ['method', 'outcome', 'reason'] as const,
    registers: [app.metrics],
  });

  // Codes come from the error catalogue only, so `reason` has a bounded set of values.
  app.addHook('onError', async (request, _reply, error) => {
    if (ATTEMPT_ROUTES[request.routeOptions.url ?? ''] === undefined) return;
    failureCode.set(request, toAppError(error, opts.mapError).publicCode);
  });
  app.addHook('onResponse', async (request, reply) => {
    const method = ATTEMPT_ROUTES[request.routeOptions.url ?? ''];
    if (method === undefined) return;
    const success = reply.statusCode < 400;
    attempts.inc({
      method,
      outcome: success ? 'success' : 'failure',
      reason: success ? 'none' : (failureCode.get(request) ?? 'OTHER'),
    });
  });

  // ioredis applies keyPrefix to keys, not to SCAN's pattern: the prefix is added here.
  const pattern = `${opts.keyPrefix}${sessionKey('*', '*')}`;
  const ttlMs = opts.sessionsCountTtlMs ?? 60_000;
  let counted: { at: number; value: number } | undefined;
  let counting: Promise<void> | undefined;
  const refresh = () => {
    counting ??= countSessions(app.redis, pattern)
      .then((value) => {
        counted = { at: Date.now(), value };
      })
      .catch((err: unknown) => app.log.warn({ err: (err as Error).message }, 'counting active sessions failed'))
      .finally(() => {
        counting = undefined;
      });
    return counting;
  };
  new Gauge({
    name: 'auth_sessions_active',
    help: 'Live sessions in Redis (every replica reports the same figure: aggregate with max)',
    registers: [app.metrics],
    async collect() {
      // The first scrape waits for a count; later ones answer at once and refresh behind.
      if (counted === undefined) await refresh();
      else if (Date.now() - counted.at > ttlMs) void refresh();
      if (counted !== undefined) this.set(counted.value);
    },
  });
}

export const authMetrics = fp(authMetricsPlugin, {
  name: 'auth-metrics',
  fastify: '5.x',
  dependencies: ['authmeet-metrics'],
});

import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';

export type ReadinessCheck = () => Promise<void>;

export interface HealthOptions {
  checks: Record<string, ReadinessCheck>;
  timeoutMs?: number;
}

async function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The liveness answer never changes: serialised once. */
const ALIVE = JSON.stringify({ status: 'ok' });

/**
 * `/healthz` says the process runs; `/readyz` says its dependencies answer. Probes are never
 * rate limited (`rateLimit: false` keeps the limiter's hook off these routes altogether: a
 * kubelet probing every few seconds from one address must not be refused, nor pay for a count).
 */
export async function healthRoutes(app: FastifyInstance, opts: HealthOptions) {
  const timeoutMs = opts.timeoutMs ?? 1000;
  app.get('/healthz', { schema: { hide: true }, config: { rateLimit: false }, logLevel: 'warn' }, (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(ALIVE),
  );

  app.get('/readyz', { schema: { hide: true }, config: { rateLimit: false }, logLevel: 'warn' }, async () => {
    const entries = Object.entries(opts.checks);
    const results = await Promise.allSettled(entries.map(([, check]) => withTimeout(check, timeoutMs)));
    const checks: Record<string, string> = {};
    const failed: string[] = [];
    results.forEach((r, i) => {
      const name = entries[i]?.[0] ?? String(i);
      checks[name] = r.status === 'fulfilled' ? 'ok' : 'fail';
      if (r.status === 'rejected') failed.push(name);
    });
    if (failed.length > 0) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', {
        detail: `Not ready: ${failed.join(', ')} unavailable`,
        retryAfter: 5,
        extensions: { checks },
      });
    }
    return { status: 'ok', checks };
  });
}

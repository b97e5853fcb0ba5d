import type { AppError } from '@authmeet/http-kit';
import { toAppError } from '@authmeet/http-kit';
import type { FastifyInstance, FastifyRequest, onErrorHookHandler, onResponseHookHandler, onSendHookHandler } from 'fastify';
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
  '/v1/auth/mfa/verify': 'mfa',
  '/v1/auth/passkeys/login/verify': 'passkey',
  '/v1/auth/oauth/google/callback': 'google',
  '/v1/auth/oauth/exchange': 'google',
};

/**
 * Google's callback answers with a redirect either way: `?code=` goes on to the exchange (counted
 * there), `?error=<CODE>` ends the attempt. Only codes of this shape are taken as a reason.
 */
const GOOGLE_CALLBACK = '/v1/auth/oauth/google/callback';
const ERROR_CODE = /^[A-Z][A-Z_]{0,63}$/;

/** A first factor that was right but asks for a second one (TOTP): not yet a sign-in. */
const MFA_CHALLENGE = /"mfaRequired":\s*true/;

const failureCode = new WeakMap<FastifyRequest, string>();
const challenged = new WeakSet<FastifyRequest>();

type Attempt = { outcome: 'success' | 'failure' | 'challenge'; reason: string } | undefined;

function callbackOutcome(location: unknown): Attempt {
  if (typeof location !== 'string') return undefined;
  let error: string | null;
  try {
    error = new URL(location).searchParams.get('error');
  } catch {
    return undefined;
  }
  if (error === null) return undefined;
  return { outcome: 'failure', reason: ERROR_CODE.test(error) ? error : 'OTHER' };
}

/** A route option's hooks (none, one or several) as a list. */
function hooks<H>(value: H | H[] | undefined): H[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

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
    help: 'Authentication attempts by method (password, refresh, mfa, passkey, google), outcome (success, failure, challenge: a second factor is asked) and reason (an error code, or none)',
    labelNames: ['method', 'outcome', 'reason'] as const,
    registers: [app.metrics],
  });

  // Only the attempt routes carry these hooks (added as each route is declared), so no other
  // request pays for them. Codes come from the error catalogue only, so `reason` is bounded.
  app.addHook('onRoute', (route) => {
    const method = ATTEMPT_ROUTES[route.url];
    if (method === undefined) return;
    const onError: onErrorHookHandler = (request, _reply, error, done) => {
      failureCode.set(request, toAppError(error, opts.mapError).publicCode);
      done();
    };
    const onSend: onSendHookHandler = (request, reply, payload, done) => {
      if (reply.statusCode < 400 && typeof payload === 'string' && MFA_CHALLENGE.test(payload)) challenged.add(request);
      done(null, payload);
    };
    const onResponse: onResponseHookHandler = (request, reply, done) => {
      let attempt: Attempt;
      if (reply.statusCode >= 400) attempt = { outcome: 'failure', reason: failureCode.get(request) ?? 'OTHER' };
      else if (route.url === GOOGLE_CALLBACK) attempt = callbackOutcome(reply.getHeader('location'));
      else attempt = { outcome: challenged.has(request) ? 'challenge' : 'success', reason: 'none' };
      if (attempt !== undefined) attempts.inc({ method, ...attempt });
      done();
    };
    route.onError = [...hooks(route.onError), onError];
    route.onSend = [...hooks(route.onSend), onSend];
    route.onResponse = [...hooks(route.onResponse), onResponse];
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

import { setTimeout as delay } from 'node:timers/promises';
import { createRedisRevocationView, createTokenVerifier } from '@authmeet/auth-tokens';
import type { RedisRevocationView, TokenVerifier, VerifiedAccessToken } from '@authmeet/auth-tokens';
import { accessTokenVerification, bearerAuth, createRedisClient } from '@authmeet/http-kit';
import type { AppError } from '@authmeet/http-kit';
import type { RedisConfig } from '@authmeet/http-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
    revocationView: RedisRevocationView;
  }
}

export interface AuthenticationOptions {
  jwt: Config['jwt'];
  revocation: Config['revocation'];
  redis: RedisConfig;
  /**
   * Runs after the token passed every check (signature, claims, revocation): makes sure the
   * user exists locally and may act. Throws AppError (401/403/503).
   */
  admitUser: (claims: VerifiedAccessToken) => Promise<void>;
  /** Turns infrastructure errors from admitUser into 503s instead of "token invalid". */
  mapError: (error: unknown) => AppError | undefined;
}

function registerStatsMetrics(app: FastifyInstance, view: RedisRevocationView, verifier: TokenVerifier) {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [app.metrics],
      collect() {
        this.set(read());
      },
    });
  // Monotonic figures kept by the view and the verifier: exported as counters (`_total`), so
  // rate() and increase() work and a restart reads as a counter reset, not a drop.
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [app.metrics],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  gauge('revocation_view_subscribed', '1 while the revocation subscription is live (memory answers), else 0', () =>
    view.stats().subscribed ? 1 : 0,
  );
  counter('revocation_view_subscriptions_total', 'Confirmation generations: subscriptions established and Redis data losses seen', () => view.stats().epoch);
  counter('revocation_view_data_resets_total', 'Times Redis lost its data (epoch marker changed) and every confirmation was dropped', () => view.stats().dataResets);
  gauge('revocation_view_revoked_sessions', 'Revoked sessions held in memory', () => view.stats().revokedInMemory);
  gauge('revocation_view_confirmed_sessions', 'Sessions confirmed live in this epoch', () => view.stats().confirmedSessions);
  counter('revocation_view_redis_checks_total', 'Session-check round trips to Redis since start', () => view.stats().redisChecks);
  counter('token_verifier_verifications_total', 'Tokens fully verified (cache misses)', () => verifier.stats().verifications);
  counter('token_verifier_cache_hits_total', 'Tokens answered from the verified-token cache', () => verifier.stats().cacheHits);
}

/**
 * Bearer authentication for /v1: access tokens are verified locally against the auth-service's
 * JWKS (fetched once, re-fetched on an unknown kid at most once per cooldown) and refused once
 * their session is revoked or gone (the view checks that the session exists, as the
 * auth-service does, so both services agree even after Redis lost its data). Revocations arrive by Redis pub/sub into memory, so the hot path
 * makes no call to the auth-service and usually none to Redis.
 */
async function authenticationPlugin(app: FastifyInstance, opts: AuthenticationOptions) {
  // Revocation keys belong to the auth-service: read them under its (the shared) prefix.
  const revocationRedis = createRedisClient({ ...opts.redis, keyPrefix: opts.revocation.keyPrefix });
  revocationRedis.on('error', (err: Error) => app.log.warn({ err: err.message }, 'revocation redis error'));
  await revocationRedis.connect().catch((err: unknown) => {
    app.log.warn({ err: (err as Error).message }, 'revocation redis not reachable at start; retrying in the background');
  });

  const view = createRedisRevocationView({
    redis: revocationRedis,
    subscriber: app.redisSubscriber,
    keyPrefix: opts.revocation.keyPrefix,
    logger: app.log,
  });
  // Boot never waits on Redis for long: until the subscription is confirmed, every check asks
  // Redis directly (and fails closed with 503 while Redis is down).
  const started = view.start().then(
    () => true,
    (err: unknown) => {
      app.log.warn({ err }, 'revocation subscription failed at start; the view retries on reconnect');
      return false;
    },
  );
  const abort = new AbortController();
  const ready = await Promise.race([started, delay(opts.revocation.startTimeoutMs, false, { signal: abort.signal }).catch(() => false)]);
  abort.abort();
  if (!ready) app.log.warn('revocation subscription not confirmed at start; confirming sessions with Redis until it is');

  const verifier = createTokenVerifier({
    issuer: opts.jwt.issuer,
    audience: opts.jwt.audience,
    clockToleranceSec: opts.jwt.clockToleranceSec,
    maxIatSkewSec: opts.jwt.maxIatSkewSec,
    keys: {
      kind: 'remote',
      url: opts.jwt.jwksUrl,
      cooldownMs: opts.jwt.cooldownMs,
      cacheMaxAgeMs: opts.jwt.cacheMaxAgeMs,
      timeoutMs: opts.jwt.timeoutMs,
      allowInsecureHttp: opts.jwt.allowInsecureHttp,
    },
    revocation: view,
  });
  app.decorate('tokenVerifier', verifier);
  app.decorate('revocationView', view);
  registerStatsMetrics(app, view, verifier);

  // Token failures and admitUser's infrastructure failures are translated by http-kit, as in
  // every service (a database outage is a 503, never "token invalid").
  await app.register(bearerAuth, {
    verify: accessTokenVerification((token) => verifier.verify(token), { admit: opts.admitUser, mapError: opts.mapError }),
  });

  app.addHook('onClose', async () => {
    await view.close();
    if (revocationRedis.status === 'ready') await revocationRedis.quit().catch(() => undefined);
    revocationRedis.disconnect();
  });
}

export const authentication = fp(authenticationPlugin, {
  name: 'meetings-authentication',
  fastify: '5.x',
  dependencies: ['authmeet-metrics', 'meetings-redis-subscriber'],
});

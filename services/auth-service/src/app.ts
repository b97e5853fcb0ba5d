import { createPublicKey } from 'node:crypto';
import { createTokenVerifier, publishRevocation } from '@authmeet/auth-tokens';
import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import { bearerAuth, createHttpApp, healthRoutes, loggerOptions, rateLimits, redisClient, toTokenAppError } from '@authmeet/http-kit';
import fastifyJwt from '@fastify/jwt';
import type { Config } from './config.js';
import { mapInfrastructureError } from './errors.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createLoginThrottle } from './modules/auth/login-throttle.js';
import type { KeyRing } from './modules/keys/key-ring.js';
import { loadKeyRing } from './modules/keys/key-ring.js';
import { keysRoutes } from './modules/keys/keys.routes.js';
import { createPasswordHasher } from './modules/passwords/password-hasher.js';
import type { PasswordHasher } from './modules/passwords/password-hasher.js';
import { createSessionsRepository } from './modules/sessions/sessions.repository.js';
import { sessionsRoutes } from './modules/sessions/sessions.routes.js';
import { createMeetingsTarget } from './modules/outbox/meetings-target.js';
import type { OutboxRow } from './modules/outbox/outbox.repository.js';
import { createOutboxRepository } from './modules/outbox/outbox.repository.js';
import { createOutboxRelay } from './modules/outbox/outbox.relay.js';
import type { UserSyncTarget } from './modules/outbox/outbox.relay.js';
import { createUsersRepository } from './modules/users/users.repository.js';
import { internalUsersRoutes } from './modules/users/users.routes.js';
import { prismaClient } from './plugins/prisma.js';

export interface AppOverrides {
  logger?: LoggerOptions | false;
  clock?: () => number;
  keyRing?: KeyRing;
  hasher?: PasswordHasher;
  /** Replaces the meetings-service client of the outbox relay (tests). */
  syncTarget?: UserSyncTarget;
  onOutboxDelivered?: (row: OutboxRow) => Promise<void>;
}

/** Builds the auth-service without listening and without reading the environment. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'auth-service',
    logger: overrides.logger ?? loggerOptions('auth-service', config.log),
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    corsOrigins: config.http.corsOrigins,
    mapError: mapInfrastructureError,
    docs: {
      title: 'auth-service',
      version: '0.1.0',
      description: 'Registration, login, tokens, sessions and the user directory of the system.',
    },
  });

  await app.register(prismaClient, config.database);
  await app.register(redisClient, config.redis);
  await app.register(rateLimits, { redis: app.redis, globalMax: config.rateLimit.globalMax, windowSec: config.rateLimit.windowSec });

  const clock = overrides.clock ?? Date.now;
  const keyRing = overrides.keyRing ?? (await loadKeyRing({ ...config.jwt, env: config.env }, (m) => app.log.warn(m)));
  const hasher = overrides.hasher ?? (await createPasswordHasher(config.argon2));

  await app.register(fastifyJwt, {
    secret: {
      private: keyRing.active.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      // Verification goes through @authmeet/auth-tokens (all published keys, pinned policy).
      public: createPublicKey(keyRing.active.privateKey).export({ format: 'pem', type: 'spki' }),
    },
    sign: {
      algorithm: 'EdDSA',
      kid: keyRing.active.kid,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      // RFC 9068 access-token type: verifiers refuse anything else (e.g. an ID token).
      header: { alg: 'EdDSA', typ: 'at+jwt' },
    },
  });

  const users = createUsersRepository(app.prisma);
  const outbox = createOutboxRepository(app.prisma);
  const sessions = createSessionsRepository(app.redis);
  // Tokens of a session stay refusable for as long as any of them can live, plus clock skew.
  const revocationTtlSec = config.jwt.accessTokenTtlSec + 60;

  const verifier = createTokenVerifier({
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    keys: { kind: 'local', jwks: keyRing.publicJwks },
    // Here the session store itself is the truth: a token is live only while its session is.
    revocation: { isRevoked: async (c) => !(await sessions.exists(c.sub, c.sid)) },
  });

  const auth = createAuthService({
    users,
    outbox,
    sessions,
    hasher,
    throttle: createLoginThrottle(app.redis, {
      max: config.rateLimit.loginFailureMax,
      windowSec: config.rateLimit.loginFailureWindowSec,
    }),
    signAccessToken: (claims, exp) => app.jwt.sign({ ...claims, exp }),
    publishRevocation: (userId, sessionId) =>
      publishRevocation(app.redis, config.redis.keyPrefix, { sub: userId, sid: sessionId, ttlSec: revocationTtlSec }),
    clock,
    config: {
      accessTokenTtlSec: config.jwt.accessTokenTtlSec,
      refreshTtlSec: config.sessions.refreshTtlSec,
      absoluteTtlSec: config.sessions.absoluteTtlSec,
      requireEmailVerification: config.requireEmailVerification,
    },
  });

  const verifyToken = async (token: string) => {
    try {
      return await verifier.verify(token);
    } catch (error) {
      throw toTokenAppError(error);
    }
  };
  await app.register(bearerAuth, { verify: verifyToken });

  await app.register(healthRoutes, {
    checks: {
      postgres: async () => {
        await app.prisma.$queryRaw`SELECT 1`;
      },
      redis: async () => {
        await app.redis.ping();
      },
    },
  });
  await app.register(authRoutes({ auth, verifyToken, limits: { ...config.rateLimit } }), { prefix: '/v1/auth' });
  await app.register(sessionsRoutes(auth), { prefix: '/v1/auth/sessions' });
  await app.register(keysRoutes(keyRing), { prefix: '/.well-known' });
  await app.register(internalUsersRoutes({ users, serviceKeys: config.serviceKeys }), { prefix: '/internal/v1/users' });
  const meetingsTarget = createMeetingsTarget(config.sync, app.log, app.metrics);
  const relay = createOutboxRelay({
    prisma: app.prisma,
    outbox,
    target: overrides.syncTarget ?? meetingsTarget,
    listenUrl: config.database.url,
    log: app.log,
    metrics: app.metrics,
    batchSize: config.sync.batchSize,
    concurrency: config.sync.concurrency,
    pollMs: config.sync.pollMs,
    maxBackoffMs: config.sync.maxBackoffMs,
    ...(overrides.onOutboxDelivered ? { onDelivered: overrides.onOutboxDelivered } : {}),
  });
  app.decorate('outboxRelay', relay);
  if (config.sync.relayEnabled) app.addHook('onReady', async () => relay.start());
  // preClose runs before the database and Redis are closed, so the last batch can finish.
  app.addHook('preClose', async () => {
    await relay.stop();
    meetingsTarget.client.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: ReturnType<typeof createOutboxRelay>;
  }
}

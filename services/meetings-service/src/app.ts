import { migrationsDirOf, schemaReadinessCheck } from '@authmeet/db-migrate';
import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import { createHttpApp, healthRoutes, loggerOptions, rateLimits, redisClient } from '@authmeet/http-kit';
import { createServiceClient } from '@authmeet/service-client';
import { Gauge } from 'prom-client';
import type { Config } from './config.js';
import { mapInfrastructureError } from './errors.js';
import { createMeetingEvents } from './modules/meetings/meeting-events.js';
import { createMeetingsRepository } from './modules/meetings/meetings.repository.js';
import { meetingsRoutes } from './modules/meetings/meetings.routes.js';
import { createMeetingService } from './modules/meetings/meetings.service.js';
import { createStreamRegistry } from './modules/meetings/stream-registry.js';
import { createStreamSlots } from './modules/meetings/stream-slots.js';
import { createUserDirectory, unconfiguredDirectory } from './modules/users/user-directory.js';
import { createUsersRepository } from './modules/users/users.repository.js';
import { internalUsersRoutes } from './modules/users/users.routes.js';
import { createReconciler } from './modules/users/users.reconcile.js';
import type { Reconciler } from './modules/users/users.reconcile.js';
import { createUsersService } from './modules/users/users.service.js';
import { authentication } from './plugins/authentication.js';
import { prismaClient } from './plugins/prisma.js';
import { redisSubscriber } from './plugins/redis-subscriber.js';

export interface AppOverrides {
  logger?: LoggerOptions | false;
  clock?: () => number;
  generateCode?: () => string;
}

/** Builds the meetings-service without listening and without reading the environment. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'meetings-service',
    logger: overrides.logger ?? loggerOptions('meetings-service', config.log),
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    limits: config.http.limits,
    corsOrigins: config.http.corsOrigins,
    mapError: mapInfrastructureError,
    docs: {
      enabled: config.http.docsEnabled,
      title: 'meetings-service',
      version: '0.1.0',
      description:
        'Meetings: create, join by code, leave, end, and follow them live. Every /v1 route takes a Bearer access ' +
        'token from the auth-service, verified locally against its JWKS; revoked sessions are refused within a second.',
    },
  });

  await app.register(prismaClient, config.database);
  await app.register(redisClient, config.redis);
  await app.register(redisSubscriber, config.redis);
  await app.register(rateLimits, { redis: app.redis, globalMax: config.rateLimit.globalMax, windowSec: config.rateLimit.windowSec });

  const clock = overrides.clock ?? Date.now;
  const meetingsRepository = createMeetingsRepository(app.prisma);
  const usersRepository = createUsersRepository(app.prisma);
  const events = createMeetingEvents({
    publisher: app.redis,
    subscriber: app.redisSubscriber,
    channelPrefix: config.redis.keyPrefix,
    log: app.log,
  });
  // Open streams would keep close() waiting for "in-flight" requests: end them first.
  app.addHook('preClose', async () => events.shutdown());

  const { serviceKey } = config.authService;
  if (serviceKey === undefined) app.log.warn('no AUTH_SERVICE_KEY or SERVICE_KEYS: users unknown here cannot be fetched (503)');
  const authClient =
    serviceKey === undefined
      ? undefined
      : createServiceClient({
          baseUrl: config.authService.url,
          serviceKey,
          name: 'auth-service',
          timeoutMs: config.authService.timeoutMs,
          retry: config.authService.retry,
          breaker: config.authService.breaker,
          logger: app.log,
          metrics: app.metrics,
        });
  app.addHook('onClose', async () => authClient?.close());

  const users = createUsersService({
    users: usersRepository,
    meetings: meetingsRepository,
    directory: authClient ? createUserDirectory(authClient, app.log) : unconfiguredDirectory,
    events,
    clock,
    admitCacheTtlMs: config.admitCacheTtlMs,
  });
  const directory = authClient ? createUserDirectory(authClient, app.log) : unconfiguredDirectory;
  const reconciler = createReconciler({ directory, users, log: app.log, pageSize: config.reconcile.pageSize });
  app.decorate('reconciler', reconciler);
  if (config.reconcile.onStart) {
    app.addHook('onReady', async () => {
      // In the background, so readiness does not wait on the auth-service; one replica at a time.
      void (async () => {
        const lock = await app.redis.set('reconcile-lock', String(process.pid), 'EX', 600, 'NX').catch(() => null);
        if (lock !== 'OK') return;
        try {
          await reconciler.run();
        } catch (err) {
          app.log.warn({ err: (err as Error).message }, 'user reconciliation on start failed; run it again with users:reconcile');
        } finally {
          await app.redis.del('reconcile-lock').catch(() => undefined);
        }
      })();
    });
  }

  const meetings = createMeetingService({
    meetings: meetingsRepository,
    events,
    clock,
    ...(overrides.generateCode ? { generateCode: overrides.generateCode } : {}),
  });

  await app.register(authentication, {
    jwt: config.jwt,
    revocation: config.revocation,
    redis: config.redis,
    admitUser: users.admit,
    mapError: mapInfrastructureError,
  });

  await app.register(healthRoutes, {
    checks: {
      postgres: async () => {
        await app.prisma.$queryRaw`SELECT 1`;
      },
      redis: async () => {
        await app.redis.ping();
      },
      schema: await schemaReadinessCheck(migrationsDirOf(import.meta.url), (sql, ...values) =>
        app.prisma.$queryRawUnsafe(sql, ...values),
      ),
      // Without keys every request would be a 503; without the subscription revocations
      // go unheard (requests then ask Redis, or 503): neither replica should get traffic.
      signingKeys: () => app.tokenVerifier.ensureKeys(),
      revocations: async () => {
        if (!app.revocationView.stats().subscribed) throw new Error('revocation subscription not live');
      },
    },
  });
  // Event streams end with the access they were opened on; revocations reach them through the
  // revocation view's one subscription (never one per stream).
  const view = app.revocationView;
  const streams = createStreamRegistry({ isRevoked: (claims) => view.isRevoked(claims), recheckMs: config.sse.heartbeatMs, log: app.log });
  view.onRevoked((sub, sid) => streams.endSession(sub, sid, 'revoked'));
  const slots = createStreamSlots({ redis: app.redis, maxPerUser: config.sse.maxStreamsPerUser, log: app.log });
  app.addHook('onClose', async () => {
    streams.close();
    slots.close();
  });
  new Gauge({
    name: 'meetings_sse_open_streams',
    help: 'Event streams open on this replica (scale on it)',
    registers: [app.metrics],
    collect() {
      this.set(streams.size());
    },
  });
  await app.register(
    meetingsRoutes({
      meetings,
      events,
      heartbeatMs: config.sse.heartbeatMs,
      streams,
      slots,
      maxStreamsPerUser: config.sse.maxStreamsPerUser,
      isRevoked: (claims) => view.isRevoked(claims),
    }),
    { prefix: '/v1/meetings' },
  );
  await app.register(internalUsersRoutes({ users, serviceKeys: config.serviceKeys }), { prefix: '/internal/v1/users' });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    reconciler: Reconciler;
  }
}

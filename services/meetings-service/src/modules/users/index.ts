import { internalPaths } from '@authmeet/contracts';
import type { HttpApp } from '@authmeet/http-kit';
import { createServiceClient } from '@authmeet/service-client';
import type { Config } from '../../config.js';
import type { MeetingEvents } from '../meetings/meeting-events.js';
import type { MeetingsRepository } from '../meetings/meetings.repository.js';
import { createUserDirectory, unconfiguredDirectory } from './user-directory.js';
import type { UserDirectory } from './user-directory.js';
import { createReconciler } from './users.reconcile.js';
import type { Reconciler } from './users.reconcile.js';
import { createUsersRepository } from './users.repository.js';
import { internalUsersRoutes } from './users.routes.js';
import { createUsersService } from './users.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    reconciler: Reconciler;
  }
}

export interface UsersModuleDeps {
  config: Pick<Config, 'authService' | 'reconcile' | 'admitCacheTtlMs' | 'serviceKeys'>;
  meetings: MeetingsRepository;
  events: MeetingEvents;
  clock: () => number;
}

/** The auth-service's directory (one client, one directory), or the stand-in without a key. */
function userDirectory(app: HttpApp, config: UsersModuleDeps['config']): UserDirectory {
  const { serviceKey } = config.authService;
  if (serviceKey === undefined) {
    app.log.warn('no AUTH_SERVICE_KEY or SERVICE_KEYS: users unknown here cannot be fetched (503)');
    return unconfiguredDirectory;
  }
  const client = createServiceClient({
    baseUrl: config.authService.url,
    serviceKey,
    name: 'auth-service',
    timeoutMs: config.authService.timeoutMs,
    retry: config.authService.retry,
    breaker: config.authService.breaker,
    logger: app.log,
    metrics: app.metrics,
  });
  app.addHook('onClose', async () => client.close());
  return createUserDirectory(client, app.log);
}

/** In the background, so readiness does not wait on the auth-service; one replica at a time. */
function reconcileOnStart(app: HttpApp, reconciler: Reconciler) {
  app.addHook('onReady', async () => {
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

/**
 * Users: this service's copy of the auth-service's users. `service.admit` is what
 * authentication calls for every token; `routes` is the receiving end of the user sync
 * (registered at `prefix`); `app.reconciler` converges the copy on demand.
 */
export function usersModule(app: HttpApp, deps: UsersModuleDeps) {
  const { config } = deps;
  const repository = createUsersRepository(app.prisma);
  const directory = userDirectory(app, config);
  const service = createUsersService({
    users: repository,
    meetings: deps.meetings,
    directory,
    events: deps.events,
    clock: deps.clock,
    admitCacheTtlMs: config.admitCacheTtlMs,
  });
  const reconciler = createReconciler({ directory, users: service, log: app.log, pageSize: config.reconcile.pageSize });
  app.decorate('reconciler', reconciler);
  if (config.reconcile.onStart) reconcileOnStart(app, reconciler);
  return { repository, service, routes: internalUsersRoutes({ users: service, serviceKeys: config.serviceKeys }), prefix: internalPaths.users };
}

import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import { createHttpApp, healthRoutes, loggerOptions, rateLimits, redisClient } from '@authmeet/http-kit';
import type { Config } from './config.js';
import { errorCatalogue, mapInfrastructureError } from './errors.js';
import { meetingsModule } from './modules/meetings/index.js';
import { usersModule } from './modules/users/index.js';
import { authentication } from './plugins/authentication.js';
import { prismaClient } from './plugins/prisma.js';
import { redisSubscriber } from './plugins/redis-subscriber.js';
import { readinessChecks } from './readiness.js';

export interface AppOverrides {
  logger?: LoggerOptions | false;
  clock?: () => number;
  generateCode?: () => string;
}

const description =
  'Meetings: create, join by code, leave, end, and follow them live. Every /v1 route takes a Bearer access ' +
  'token from the auth-service, verified locally against its JWKS; revoked sessions are refused within a second.';

/** Builds the meetings-service without listening and without reading the environment. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<HttpApp> {
  const { http } = config;
  const app = await createHttpApp({
    service: 'meetings-service',
    logger: overrides.logger ?? loggerOptions('meetings-service', config.log),
    trustProxy: http.trustProxy,
    bodyLimit: http.bodyLimit,
    limits: http.limits,
    corsOrigins: http.corsOrigins,
    mapError: mapInfrastructureError,
    docs: {
      enabled: http.docsEnabled,
      title: 'meetings-service',
      version: '0.1.0',
      description,
      errors: errorCatalogue,
      rateLimited: true,
      // Every token check also admits the user (authentication plugin): a disabled account is refused.
      securityErrors: { bearerAuth: ['ACCOUNT_DISABLED'] },
      servers: [
        { url: 'http://127.0.0.1:8080', description: 'The development ingress (`pnpm dev`): /v1/meetings, never /internal/' },
        { url: 'http://127.0.0.1:5000', description: 'The meetings-service itself (`pnpm dev`), /internal/ routes included' },
      ],
      tags: [
        { name: 'meetings', description: 'Meetings, participants and their live events' },
        { name: 'internal', description: 'Service-to-service routes (service key; never routed by the ingress)' },
      ],
    },
  });
  // Infrastructure.
  await app.register(prismaClient, config.database);
  await app.register(redisClient, config.redis);
  await app.register(redisSubscriber, config.redis);
  await app.register(rateLimits, { redis: app.redis, globalMax: config.rateLimit.globalMax, windowSec: config.rateLimit.windowSec });

  // Modules.
  const clock = overrides.clock ?? Date.now;
  const meetings = meetingsModule(app, { config, clock, generateCode: overrides.generateCode });
  const users = usersModule(app, { config, meetings: meetings.repository, events: meetings.events, clock });

  // Bearer tokens for /v1 (users.service.admit makes sure the user exists here), readiness, routes.
  const { jwt, revocation, redis } = config;
  await app.register(authentication, { jwt, revocation, redis, admitUser: users.service.admit, mapError: mapInfrastructureError });
  await app.register(healthRoutes, { checks: await readinessChecks(app) });
  await app.register(meetings.routes, { prefix: '/v1/meetings' });
  await app.register(users.routes, { prefix: users.prefix });
  return app;
}

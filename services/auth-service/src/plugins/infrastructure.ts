import { schemaReadinessCheck } from '@authmeet/db-migrate';
import type { HttpApp, HttpAppOptions, LoggerOptions } from '@authmeet/http-kit';
import { healthRoutes, loggerOptions, rateLimits, redisClient } from '@authmeet/http-kit';
import type { Config } from '../config.js';
import { errorCatalogue, mapInfrastructureError } from '../errors.js';
import { authMetrics } from './auth-metrics.js';
import { prismaClient } from './prisma.js';

/** The HTTP layer of the auth-service (http-kit's createHttpApp options). */
export function httpAppOptions(config: Config, logger: LoggerOptions | false | undefined): HttpAppOptions {
  return {
    service: 'auth-service',
    logger: logger ?? loggerOptions('auth-service', config.log),
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    limits: config.http.limits,
    corsOrigins: config.http.corsOrigins,
    // Cookie mode: a web app on an allowed origin sends the refresh cookie (credentials: 'include').
    corsCredentials: true,
    mapError: mapInfrastructureError,
    docs: {
      enabled: config.http.docsEnabled,
      title: 'auth-service',
      version: '0.1.0',
      description: 'Registration, login, tokens, sessions and the user directory of the system.',
      errors: errorCatalogue,
      rateLimited: true,
      servers: [
        { url: 'http://127.0.0.1:8080', description: 'The development ingress (`pnpm dev`): /v1/auth and /.well-known, never /internal/' },
        { url: 'http://127.0.0.1:5001', description: 'The auth-service itself (`pnpm dev`), /internal/ routes included' },
      ],
      tags: [
        { name: 'auth', description: 'Registration, login, token refresh and logout' },
        { name: 'account', description: 'The signed-in user: profile, email verification, password' },
        { name: 'sessions', description: "The user's sessions, one per device" },
        { name: 'mfa', description: 'Multi-factor authentication: TOTP and recovery codes' },
        { name: 'passkeys', description: 'WebAuthn passkeys: registration and passwordless login' },
        { name: 'oauth', description: 'Sign-in with Google' },
        { name: 'admin', description: 'User administration (admin and moderator roles)' },
        { name: 'keys', description: 'Public keys that verify access tokens' },
        { name: 'internal', description: 'Service-to-service routes (service key; never routed by the ingress)' },
      ],
    },
  };
}

/**
 * Postgres (app.prisma), Redis (app.redis), rate limits, the service's metrics and the health
 * routes, whose readiness includes the schema being migrated up to `migrationsDir`.
 */
export async function registerInfrastructure(app: HttpApp, config: Config, migrationsDir: string): Promise<void> {
  await app.register(prismaClient, config.database);
  await app.register(redisClient, config.redis);
  await app.register(rateLimits, { redis: app.redis, globalMax: config.rateLimit.globalMax, windowSec: config.rateLimit.windowSec });
  await app.register(authMetrics, { keyPrefix: config.redis.keyPrefix, mapError: mapInfrastructureError });
  await app.register(healthRoutes, {
    checks: {
      postgres: async () => {
        await app.prisma.$queryRaw`SELECT 1`;
      },
      redis: async () => {
        await app.redis.ping();
      },
      schema: await schemaReadinessCheck(migrationsDir, (sql, ...values) => app.prisma.$queryRawUnsafe(sql, ...values)),
    },
  });
}

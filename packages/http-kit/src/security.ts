import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityOptions {
  /** Exact origins allowed to call from a browser; empty means no cross-origin access. */
  corsOrigins: string[];
}

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  await app.register(helmet, {
    // The API serves JSON; the only HTML is Swagger UI, which sets its own CSP.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  const allowed = new Set(opts.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
    // Bearer tokens travel in a header, never in cookies: no credentials mode needed.
    credentials: false,
    maxAge: 600,
  });
}

export const security = fp(securityPlugin, { name: 'authmeet-security', fastify: '5.x' });

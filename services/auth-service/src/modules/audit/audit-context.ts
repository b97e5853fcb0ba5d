import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Who is on the other end of the request an audit event is written in. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
}

const storage = new AsyncLocalStorage<RequestOrigin>();

/** The current request's origin; undefined outside a request (operator commands, jobs). */
export const currentOrigin = (): RequestOrigin | undefined => storage.getStore();

/**
 * Makes the request's ip (through TRUST_PROXY) and user agent current for everything it does,
 * so services record them without every call passing them along. Callback style, so the rest
 * of the lifecycle runs inside the store (as the request-id plugin does).
 */
async function auditContextPlugin(app: FastifyInstance) {
  app.addHook('onRequest', (request, _reply, done) => {
    const ua = request.headers['user-agent'];
    storage.run({ ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 256) : null }, done);
  });
}

export const auditContext = fp(auditContextPlugin, { name: 'auth-audit-context', fastify: '5.x' });

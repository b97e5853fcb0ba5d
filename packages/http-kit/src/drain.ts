import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';

export interface Drain {
  /** True from the moment a graceful shutdown began. */
  readonly draining: boolean;
  /** Called by serve() on SIGTERM/SIGINT. */
  begin(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    drain: Drain;
  }
}

/**
 * The HTTP side of a graceful shutdown. While draining, a request that arrives is refused with
 * the contract's 503 (problem+json, `Retry-After`) instead of Fastify's own JSON, and every
 * response, including those of requests received before the drain, carries `Connection: close`.
 * That is how a kept-alive connection is closed safely: the client learns with the response
 * that it must not send another request on it, so the server never has to cut a connection a
 * request may already be travelling on.
 */
async function drainPlugin(app: FastifyInstance) {
  let draining = false;
  app.decorate('drain', {
    get draining() {
      return draining;
    },
    begin() {
      draining = true;
    },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) {
      done();
      return;
    }
    void reply.header('connection', 'close');
    done(new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'This instance is shutting down; retry the request', retryAfter: 1 }));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
}

export const drain = fp(drainPlugin, { name: 'authmeet-drain', fastify: '5.x' });

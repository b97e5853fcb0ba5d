import { randomUUID } from 'node:crypto';
import { runWithRequestId } from '@authmeet/telemetry';
import type { RequestOrigin } from '@authmeet/telemetry';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

// A caller's id is echoed only when it is short and plain, so it cannot inject into logs.
const saneId = /^[A-Za-z0-9._:-]{1,128}$/;

export function genReqId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && saneId.test(given) ? given : randomUUID();
}

function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 256) : null };
}

async function requestIdPlugin(app: FastifyInstance) {
  // Callback style on purpose: the rest of the request's lifecycle runs inside `done`, so the
  // id is current for everything the request does, including calls to the other service
  // (the service client forwards it as x-request-id) and outbox rows it writes; so is the
  // request's origin, read only by what records it (audit events).
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    runWithRequestId(request.id, done, () => originOf(request));
  });
}

export const requestId = fp(requestIdPlugin, { name: 'authmeet-request-id', fastify: '5.x' });

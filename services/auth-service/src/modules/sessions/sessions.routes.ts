import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import { z } from 'zod';
import { sessionSchema } from './sessions.schemas.js';
import type { SessionsService } from './sessions.service.js';
import { errorCodes } from '../../errors.js';

export function sessionsRoutes(sessions: SessionsService) {
  return async function routes(app: HttpApp) {
    app.addHook('preHandler', app.authenticate);

    app.get(
      '/',
      {
        schema: {
          tags: ['sessions'],
          operationId: 'listSessions',
          summary: "The user's live sessions, one per device",
          security: [{ bearerAuth: [] }],
          response: { 200: z.object({ items: z.array(sessionSchema) }) },
        },
      },
      async (request) => {
        if (!request.auth) throw new AppError('UNAUTHENTICATED');
        return { items: await sessions.list(request.auth.userId, request.auth.sessionId) };
      },
    );

    app.delete(
      '/:id',
      {
        schema: {
          tags: ['sessions'],
          operationId: 'revokeSession',
          errors: errorCodes('NOT_FOUND'),
          summary: 'Revoke one of the user’s own sessions',
          security: [{ bearerAuth: [] }],
          params: z.object({ id: z.uuid('must be a session id') }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        if (!request.auth) throw new AppError('UNAUTHENTICATED');
        await sessions.revokeOwn(request.auth.userId, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}

import type { HttpApp } from '@authmeet/http-kit';
import { AppError, decodeCursor, encodeCursor, pageOf, pageQuery, serviceKeyGuard } from '@authmeet/http-kit';
import { z } from 'zod';
import type { UsersRepository } from './users.repository.js';
import { syncUserSchema, toSyncUser } from './users.schemas.js';
import { errorCodes } from '../../errors.js';

const cursorShape = z.object({ u: z.iso.datetime(), id: z.uuid() });

/** Internal routes for the meetings-service: service key only, never a user token. */
export function internalUsersRoutes(deps: { users: UsersRepository; serviceKeys: string[] }) {
  return async function routes(app: HttpApp) {
    app.addHook('onRequest', serviceKeyGuard(deps.serviceKeys));
    const security = [{ serviceKey: [] }];

    app.get(
      '/:id',
      {
        schema: {
          tags: ['internal'],
          operationId: 'getInternalUser',
          errors: errorCodes('NOT_FOUND'),
          summary: 'One user, for services',
          security,
          params: z.object({ id: z.uuid('must be a user id') }),
          response: { 200: syncUserSchema },
        },
      },
      async (request) => {
        const user = await deps.users.findById(request.params.id);
        if (!user) throw new AppError('NOT_FOUND', { detail: 'No such user' });
        return toSyncUser(user);
      },
    );

    app.get(
      '/',
      {
        schema: {
          tags: ['internal'],
          operationId: 'listChangedUsers',
          summary: 'Users changed after a time, for reconciliation',
          security,
          querystring: z.object({ updatedAfter: z.iso.datetime({ offset: true }).optional(), ...pageQuery }),
          response: { 200: pageOf(syncUserSchema) },
        },
      },
      async (request) => {
        const { updatedAfter, cursor, limit } = request.query;
        const c = decodeCursor(cursor, cursorShape);
        const rows = await deps.users.listUpdatedAfter(
          updatedAfter ? new Date(updatedAfter) : undefined,
          c ? { updatedAt: new Date(c.u), id: c.id } : undefined,
          limit + 1,
        );
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          items: page.map(toSyncUser),
          nextCursor: rows.length > limit && last ? encodeCursor({ u: last.updatedAt.toISOString(), id: last.id }) : null,
        };
      },
    );
  };
}

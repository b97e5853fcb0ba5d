import { syncAppliedSchema, userDeletionQuerySchema, userSnapshotSchema } from '@authmeet/contracts';
import type { HttpApp } from '@authmeet/http-kit';
import { serviceKeyGuard } from '@authmeet/http-kit';
import { z } from 'zod';
import { userIdParams } from './users.schemas.js';
import type { UsersService } from './users.service.js';

/**
 * The receiving end of the auth-service's user sync. Service key only: the guard reads
 * X-Service-Key and nothing else, so a user's Bearer token never opens these routes.
 * Deliveries are at least once and may be reordered by retries; `version` makes them idempotent.
 */
export function internalUsersRoutes(deps: { users: UsersService; serviceKeys: string[] }) {
  return async function routes(app: HttpApp) {
    app.addHook('onRequest', serviceKeyGuard(deps.serviceKeys));
    const security = [{ serviceKey: [] }];
    const tags = ['internal'];

    app.put(
      '/:id',
      {
        schema: {
          tags,
          security,
          operationId: 'syncUser',
          summary: 'Create or update a user (user sync)',
          description: 'Idempotent upsert: applied only when `version` is greater than the stored one (`applied: false` otherwise). A deleted user is never revived.',
          params: userIdParams,
          body: userSnapshotSchema,
          response: { 200: syncAppliedSchema },
        },
      },
      async (request) => ({ applied: await deps.users.applySync(request.params.id, request.body) }),
    );

    app.delete(
      '/:id',
      {
        schema: {
          tags,
          security,
          operationId: 'removeSyncedUser',
          summary: 'A user is gone (user sync)',
          description:
            'Ends every meeting the user hosts (`meeting.ended`), takes them out of the others, and anonymises them; ' +
            'the stored version becomes max(stored, `version`). An unknown id still answers 204 and leaves a tombstone, ' +
            'so a late, stale PUT cannot bring the user back.',
          params: userIdParams,
          querystring: userDeletionQuerySchema,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await deps.users.remove(request.params.id, request.query.version);
        return reply.code(204).send(null);
      },
    );
  };
}

import { syncAppliedSchema, syncBatchAppliedSchema, USER_SYNC_BATCH_MAX, userDeletionQuerySchema, userSnapshotSchema, userSyncBatchSchema } from '@authmeet/contracts';
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
      '/',
      {
        // Up to 2 KiB per user (a snapshot's longest fields), above the service's small default.
        bodyLimit: USER_SYNC_BATCH_MAX * 2048,
        schema: {
          tags,
          security,
          operationId: 'syncUsers',
          summary: 'Create or update many users at once (user sync, batch)',
          description:
            `Up to ${USER_SYNC_BATCH_MAX} users in one request, each applied exactly as its own \`PUT /internal/v1/users/{id}\` would be: ` +
            'only when its `version` is greater than the stored one, never reviving a deleted user. Idempotent per user and version, ' +
            'so a batch sent twice (or overlapping another) changes nothing the second time. A user named twice counts once, with its ' +
            'highest version. The answer lists each user once, in the order first named, with `applied`. Deletions are not batched ' +
            '(`DELETE /internal/v1/users/{id}`).',
          body: userSyncBatchSchema,
          response: { 200: syncBatchAppliedSchema },
        },
      },
      async (request) => ({ results: await deps.users.applySyncMany(request.body.users) }),
    );

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

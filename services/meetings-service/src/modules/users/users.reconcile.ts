import type { FastifyBaseLogger } from 'fastify';
import type { UserDirectory } from './user-directory.js';
import type { UsersService } from './users.service.js';

export interface ReconcileResult {
  pages: number;
  seen: number;
  applied: number;
  removed: number;
}

/**
 * Converges the local user copy on the auth-service's directory: pages through every user
 * (or those changed after `since`) and applies each by version, exactly as a sync delivery
 * would. Idempotent, so it is safe to run at any time, on any replica, alongside the outbox:
 * the newer version always wins. Used after a lost backup, a new environment, or a long outage.
 */
export function createReconciler(deps: { directory: UserDirectory; users: UsersService; log: FastifyBaseLogger; pageSize?: number }) {
  return {
    async run(opts: { since?: Date } = {}): Promise<ReconcileResult> {
      const result: ReconcileResult = { pages: 0, seen: 0, applied: 0, removed: 0 };
      let cursor: string | undefined;
      do {
        const page = await deps.directory.list({
          updatedAfter: opts.since?.toISOString(),
          cursor,
          limit: deps.pageSize ?? 100,
        });
        result.pages += 1;
        for (const user of page.items) {
          result.seen += 1;
          if (user.deleted === true) {
            await deps.users.remove(user.id, user.version);
            result.removed += 1;
          } else if (await deps.users.applySync(user.id, user)) {
            result.applied += 1;
          }
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      deps.log.info({ ...result, since: opts.since?.toISOString() }, 'user reconciliation finished');
      return result;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;

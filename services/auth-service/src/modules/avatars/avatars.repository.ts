import { currentTraceContext } from '@authmeet/telemetry';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { OUTBOX_CHANNEL } from '../outbox/outbox.repository.js';
import type { PublicUserSource } from '../users/users.schemas.js';

/** The user as the API shows it, after the change, and the key the change made unwanted. */
export type AvatarSwap = PublicUserSource & { version: number; previousKey: string | null };

/**
 * The commit of a picture change, in one statement (one round trip, atomic like a transaction):
 * the user row locked and changed, its user-sync outbox row (the snapshot of `snapshotOf`, built
 * here from the changed row) with the relay's wake-up, the upload's orphan guard cancelled and
 * the previous object queued for deletion. The interactive transaction this replaces took eight
 * round trips, and each is a socket write and a query through the client for a 3 MiB upload
 * whose CPU budget is what sharp needs.
 */
export function createAvatarsRepository(prisma: PrismaClient) {
  return {
    /** Null when the account is gone (closed or deleted): nothing is written then. */
    async swap(userId: string, avatar: { key: string; url: string } | null, guardId: bigint | undefined): Promise<AvatarSwap | null> {
      const traceContext = currentTraceContext();
      const [row] = await prisma.$queryRaw<AvatarSwap[]>`
        WITH previous AS (
          SELECT id, avatar_key FROM users WHERE id = ${userId}::uuid AND deleted_at IS NULL FOR UPDATE
        ), changed AS (
          UPDATE users u
          SET avatar_key = ${avatar?.key ?? null}, avatar_url = ${avatar?.url ?? null}, version = u.version + 1, updated_at = now()
          FROM previous p WHERE u.id = p.id
          RETURNING u.*, p.avatar_key AS previous_key
        ), synced AS (
          INSERT INTO user_outbox (user_id, version, kind, payload, trace_context)
          SELECT c.id, c.version, 'upsert'::"OutboxKind",
            jsonb_build_object(
              'email', c.email::text, 'username', c.username::text, 'firstName', c.first_name, 'lastName', c.last_name,
              'isActive', c.is_active, 'emailVerified', c.email_verified, 'mfaEnabled', c.mfa_enabled,
              'roles', to_jsonb(c.roles::text[]), 'avatarUrl', c.avatar_url, 'version', c.version),
            ${traceContext === undefined ? null : JSON.stringify(traceContext)}::jsonb
          FROM changed c
          RETURNING id
        ), unguarded AS (
          DELETE FROM avatar_deletions WHERE id = ${guardId ?? null}::bigint AND EXISTS (SELECT 1 FROM changed)
        ), queued AS (
          INSERT INTO avatar_deletions (key, available_at) SELECT previous_key, now() FROM changed WHERE previous_key IS NOT NULL
        )
        SELECT c.id::text AS id, c.email::text AS email, c.username::text AS username, c.first_name AS "firstName",
          c.last_name AS "lastName", c.email_verified AS "emailVerified", c.is_active AS "isActive",
          c.mfa_enabled AS "mfaEnabled", c.roles::text[] AS roles, c.avatar_url AS "avatarUrl",
          c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.version, c.previous_key AS "previousKey"
        FROM changed c
        -- Delivered by Postgres only on commit; wakes the relay in well under a second.
        CROSS JOIN (SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM synced) AS wake`;
      return row ?? null;
    },
  };
}

export type AvatarsRepository = ReturnType<typeof createAvatarsRepository>;

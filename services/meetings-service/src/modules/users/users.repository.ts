import type { UserSnapshot } from '@authmeet/contracts';
import type { PrismaClient, User } from '../../generated/prisma/client.js';
import type { Db, Tx } from '../../plugins/prisma.js';

/** The only code that queries the users table. */
export function createUsersRepository(prisma: PrismaClient) {
  /**
   * Insert, or overwrite only with a newer version, many users in one statement (the batch sync
   * route; a single PUT is a batch of one): the guard is per row, so each user's outcome is what
   * its own PUT would have been. Ids must be distinct (ON CONFLICT cannot touch a row twice).
   * Returns the ids that were applied.
   */
  async function applyManyIfNewer(items: readonly (UserSnapshot & { id: string })[], now: Date, db: Db = prisma): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const rows = items.map((u) => ({
      id: u.id,
      email: u.email,
      username: u.username,
      first_name: u.firstName,
      last_name: u.lastName,
      avatar_url: u.avatarUrl,
      is_active: u.isActive,
      email_verified: u.emailVerified,
      mfa_enabled: u.mfaEnabled ?? false,
      roles: u.roles,
      version: u.version,
    }));
    const applied = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO users AS u (id, email, username, first_name, last_name, avatar_url, is_active, email_verified, mfa_enabled, roles, version, created_at, updated_at)
      SELECT r.id, r.email, r.username, r.first_name, r.last_name, r.avatar_url, r.is_active, r.email_verified, r.mfa_enabled, r.roles, r.version, ${now}, ${now}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
        id uuid, email text, username text, first_name text, last_name text, avatar_url text,
        is_active boolean, email_verified boolean, mfa_enabled boolean, roles text[], version int)
      ON CONFLICT (id) DO UPDATE SET
        email = EXCLUDED.email,
        username = EXCLUDED.username,
        first_name = EXCLUDED.first_name,
        last_name = EXCLUDED.last_name,
        avatar_url = EXCLUDED.avatar_url,
        is_active = EXCLUDED.is_active,
        email_verified = EXCLUDED.email_verified,
        mfa_enabled = EXCLUDED.mfa_enabled,
        roles = EXCLUDED.roles,
        version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at
      WHERE u.version < EXCLUDED.version AND u.deleted_at IS NULL
      RETURNING id`;
    return new Set(applied.map((r) => r.id));
  }

  return {
    transaction: <T>(fn: (tx: Tx) => Promise<T>) => prisma.$transaction(fn),

    findById: (id: string, db: Db = prisma): Promise<User | null> => db.user.findUnique({ where: { id } }),

    /**
     * Insert, or overwrite only with a newer version, in one statement: INSERT ... ON CONFLICT
     * locks the row, and the WHERE is evaluated against the latest committed row, so two
     * concurrent deliveries can never move `version` backwards. A deleted user (or tombstone)
     * is never revived. Returns whether the data was applied.
     */
    async applyIfNewer(id: string, u: UserSnapshot, now: Date, db: Db = prisma): Promise<boolean> {
      return (await applyManyIfNewer([{ ...u, id }], now, db)).has(id);
    },

    applyManyIfNewer,

    /**
     * The user is gone: keep the row (meetings and participations reference it, and it blocks a
     * stale update from resurrecting the user) but without personal data. For an id never seen,
     * this inserts that tombstone.
     */
    async anonymise(id: string, version: number, now: Date, db: Db = prisma): Promise<void> {
      await db.$executeRaw`
        INSERT INTO users AS u (id, email, username, first_name, last_name, is_active, email_verified, version, created_at, updated_at, deleted_at)
        VALUES (${id}::uuid, ${`deleted+${id}@invalid.invalid`}, ${`deleted-${id}`}, NULL, NULL, false, false, ${version}, ${now}, ${now}, ${now})
        ON CONFLICT (id) DO UPDATE SET
          email = EXCLUDED.email,
          username = EXCLUDED.username,
          first_name = NULL,
          last_name = NULL,
          avatar_url = NULL,
          is_active = false,
          email_verified = false,
          mfa_enabled = false,
          roles = '{}',
          version = GREATEST(u.version, EXCLUDED.version),
          updated_at = EXCLUDED.updated_at,
          deleted_at = COALESCE(u.deleted_at, EXCLUDED.deleted_at)`;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;

import type { Pool } from 'pg';
import type { Prisma, PrismaClient, User, UserRole } from '../../generated/prisma/client.js';
import type { Db } from '../../plugins/prisma.js';

/** Defined with the Prisma plugin; re-exported for the modules that import it from here. */
export type { Db };

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string | null;
  firstName: string | null;
  lastName: string | null;
  /** True only when someone else already proved the address (an OpenID provider). */
  emailVerified?: boolean;
}

export interface UserPatch {
  username?: string;
  firstName?: string | null;
  lastName?: string | null;
  passwordHash?: string | null;
  emailVerified?: boolean;
  mfaEnabled?: boolean;
  roles?: UserRole[];
  isActive?: boolean;
}

/**
 * Every column of `users` (table alias `u`) under the Prisma model's field names, as Prisma
 * returns them: for the reads that bypass Prisma's client. test/users-repository.test.ts and
 * test/mfa-repository.test.ts compare such rows with Prisma's, every column set.
 */
export const USER_COLUMNS_SQL = `u.id::text AS id, u.email::text AS email, u.username::text AS username,
  u.password_hash AS "passwordHash", u.first_name AS "firstName", u.last_name AS "lastName",
  u.email_verified AS "emailVerified", u.is_active AS "isActive", u.roles::text[] AS roles, u.version,
  u.created_at AS "createdAt", u.updated_at AS "updatedAt", u.deleted_at AS "deletedAt",
  u.mfa_enabled AS "mfaEnabled", u.avatar_key AS "avatarKey", u.avatar_url AS "avatarUrl"`;
const USER_BY_ID = `SELECT ${USER_COLUMNS_SQL} FROM users u WHERE u.id = $1::uuid`;

/**
 * The only code that queries the users table. `reads`, when given, is the pool under Prisma's
 * adapter: the read every authenticated request makes (`findById`, e.g. `GET /v1/auth/me`) goes
 * through it directly, at about half of Prisma's CPU per call; inside a transaction it stays
 * on the transaction's client.
 */
export function createUsersRepository(prisma: PrismaClient, reads?: Pick<Pool, 'query'>) {
  return {
    transaction: <T>(fn: (tx: Prisma.TransactionClient) => Promise<T>) => prisma.$transaction(fn),

    async findById(id: string, db: Db = prisma): Promise<User | null> {
      if (reads === undefined || db !== prisma) return db.user.findUnique({ where: { id } });
      return (await reads.query<User>(USER_BY_ID, [id])).rows[0] ?? null;
    },

    /** Email or username; citext makes both comparisons case-insensitive. */
    findByIdentifier(identifier: string, db: Db = prisma): Promise<User | null> {
      const where = identifier.includes('@') ? { email: identifier.trim().toLowerCase() } : { username: identifier.trim() };
      return db.user.findUnique({ where });
    },

    create: (data: NewUser, db: Db = prisma) => db.user.create({ data }),

    /** Every change bumps `version`, the order the user sync applies changes in. */
    update: (id: string, patch: UserPatch, db: Db = prisma) =>
      db.user.update({ where: { id }, data: { ...patch, version: { increment: 1 } } }),

    setPasswordHash: (id: string, passwordHash: string, db: Db = prisma) =>
      db.user.update({ where: { id }, data: { passwordHash } }),

    /** Account closure keeps the row (ids stay unique, the sync has a version) but no personal data. */
    anonymise: async (id: string, db: Db = prisma) => {
      await db.userTotp.deleteMany({ where: { userId: id } });
      return db.user.update({
        where: { id },
        data: {
          email: `deleted+${id}@invalid.invalid`,
          username: `deleted-${id}`,
          passwordHash: null,
          firstName: null,
          lastName: null,
          isActive: false,
          mfaEnabled: false,
          deletedAt: new Date(),
          // The objects themselves are deleted by the avatars module's queue (same transaction).
          avatarKey: null,
          avatarUrl: null,
          version: { increment: 1 },
          // Provider subjects and one-time tokens are personal data too; dropping the identities
          // also lets the same Google account sign up afresh later.
          identities: { deleteMany: {} },
          accountTokens: { deleteMany: {} },
          recoveryCodes: { deleteMany: {} },
          passkeys: { deleteMany: {} },
        },
      });
    },

    /** Reconciliation page, ordered by (updatedAt, id) so a cursor never skips a row. */
    listUpdatedAfter(after: Date | undefined, cursor: { updatedAt: Date; id: string } | undefined, limit: number) {
      const conditions: Prisma.UserWhereInput[] = [];
      if (after) conditions.push({ updatedAt: { gt: after } });
      if (cursor) {
        // The redundant `>=` is what an index can start from: the OR alone was a filter over every
        // row before the cursor (users_updated_at_id_idx read from its start on each page, so a
        // full reconciliation was quadratic; EXPLAIN in packages/bench, `pnpm bench:scale`).
        conditions.push({
          updatedAt: { gte: cursor.updatedAt },
          OR: [{ updatedAt: { gt: cursor.updatedAt } }, { updatedAt: cursor.updatedAt, id: { gt: cursor.id } }],
        });
      }
      return prisma.user.findMany({
        where: { AND: conditions },
        orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;

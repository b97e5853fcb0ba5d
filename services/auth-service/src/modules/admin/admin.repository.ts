import { Prisma } from '../../generated/prisma/client.js';
import type { PrismaClient, User, UserRole } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

export interface UserSearch {
  /** Lower-cased prefix of an email or a username. */
  prefix?: string | undefined;
  role?: UserRole | undefined;
  status?: 'active' | 'disabled' | undefined;
  afterId?: string | undefined;
  limit: number;
}

/** The first string after every string that starts with `prefix`, in byte (COLLATE "C") order. */
function prefixEnd(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop() ?? '';
  return chars.join('') + String.fromCodePoint((last.codePointAt(0) ?? 0) + 1);
}

/**
 * Admin queries over users. The prefix search is a range over the COLLATE "C" indexes on email
 * and username (citext lower-cases both sides), so Postgres answers it from the indexes
 * (test/admin-query-plans.test.ts proves it with EXPLAIN).
 */
export const adminQueries = {
  search(q: UserSearch): Prisma.Sql {
    const filters: Prisma.Sql[] = [Prisma.sql`deleted_at IS NULL`];
    if (q.role !== undefined) filters.push(Prisma.sql`roles @> ARRAY[${q.role}]::"UserRole"[]`);
    if (q.status === 'active') filters.push(Prisma.sql`is_active`);
    if (q.status === 'disabled') filters.push(Prisma.sql`NOT is_active`);
    if (q.afterId !== undefined) filters.push(Prisma.sql`id > ${q.afterId}::uuid`);
    const where = (extra: Prisma.Sql[]) => Prisma.join([...extra, ...filters], ' AND ');
    if (q.prefix === undefined || q.prefix === '') {
      return Prisma.sql`SELECT id FROM users WHERE ${where([])} ORDER BY id LIMIT ${q.limit}`;
    }
    const lo = q.prefix;
    const hi = prefixEnd(q.prefix);
    // Two range scans, one per index, merged: a single "email OR username" condition under
    // ORDER BY id LIMIT lets the planner walk the primary key and filter every row instead.
    return Prisma.sql`
      SELECT id FROM (
        SELECT id FROM users WHERE ${where([Prisma.sql`email COLLATE "C" >= ${lo}::citext`, Prisma.sql`email COLLATE "C" < ${hi}::citext`])}
        UNION
        SELECT id FROM users WHERE ${where([Prisma.sql`username COLLATE "C" >= ${lo}::citext`, Prisma.sql`username COLLATE "C" < ${hi}::citext`])}
      ) found ORDER BY id LIMIT ${q.limit}`;
  },
};

export function createAdminRepository(prisma: PrismaClient) {
  return {
    async search(q: UserSearch): Promise<User[]> {
      const ids = await prisma.$queryRaw<{ id: string }[]>(adminQueries.search(q));
      if (ids.length === 0) return [];
      const rows = await prisma.user.findMany({ where: { id: { in: ids.map((r) => r.id) } }, orderBy: { id: 'asc' } });
      return rows;
    },

    identities: (userId: string) =>
      prisma.userIdentity.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),

    /**
     * Locks every active admin's row (FOR UPDATE) and answers how many there are. A demotion or
     * disable that takes an admin's role away calls this first: two concurrent ones queue on the
     * same rows, and the second counts again after the first committed, so it cannot remove the
     * last admin the first left behind.
     */
    async lockActiveAdmins(tx: Prisma.TransactionClient): Promise<string[]> {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM users WHERE roles @> ARRAY['admin']::"UserRole"[] AND is_active AND deleted_at IS NULL
        ORDER BY id FOR UPDATE`;
      return rows.map((r) => r.id);
    },

    findForUpdate: async (id: string, db: Db): Promise<User | null> => {
      const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid FOR UPDATE`;
      return rows.length === 0 ? null : db.user.findUnique({ where: { id } });
    },
  };
}

export type AdminRepository = ReturnType<typeof createAdminRepository>;

import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../../plugins/prisma.js';

export interface AvatarDeletionRow {
  id: bigint;
  key: string;
  prefix: boolean;
  /** Counts this attempt too. */
  attempts: number;
}

type RawRow = { id: bigint; key: string; prefix: boolean; attempts: number };

/**
 * The code that queries the avatar_deletions table, with one exception: a picture change's
 * commit cancels its guard and queues the old object in its one statement (avatars.repository.ts).
 */
export function createAvatarDeletionsRepository(prisma: PrismaClient) {
  return {
    /**
     * Call with the transaction that makes the object unwanted, so the deletion commits with the
     * change or not at all. `delaySec` holds it back (an upload guard waits for its commit).
     */
    async enqueue(item: { key: string; prefix?: boolean; delaySec?: number }, db: Db = prisma): Promise<bigint> {
      const row = await db.avatarDeletion.create({
        data: { key: item.key, prefix: item.prefix ?? false, availableAt: new Date(Date.now() + (item.delaySec ?? 0) * 1000) },
        select: { id: true },
      });
      return row.id;
    },

    /** The upload it guarded has committed: its object is wanted after all. */
    async cancel(id: bigint, db: Db = prisma): Promise<void> {
      await db.avatarDeletion.deleteMany({ where: { id } });
    },

    /** The upload it guarded will never commit: delete its object now rather than after the grace. */
    async release(id: bigint): Promise<void> {
      await prisma.avatarDeletion.updateMany({ where: { id }, data: { availableAt: new Date() } });
    },

    /**
     * Takes due rows by pushing `available_at` one lease ahead in one statement; SKIP LOCKED lets
     * workers on every replica claim at once without taking the same row, and a worker that dies
     * simply lets its lease run out.
     */
    async claim(limit: number, leaseMs: number): Promise<AvatarDeletionRow[]> {
      return prisma.$queryRaw<RawRow[]>`
        UPDATE avatar_deletions d
        SET attempts = d.attempts + 1, available_at = now() + (${leaseMs}::int * interval '1 millisecond')
        WHERE d.id IN (
          SELECT id FROM avatar_deletions
          WHERE available_at <= now()
          ORDER BY available_at, id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.key, d.prefix, d.attempts`;
    },

    /** The storage confirmed: the row has done its work. */
    async done(id: bigint): Promise<void> {
      await prisma.avatarDeletion.deleteMany({ where: { id } });
    },

    async retryLater(id: bigint, error: string, backoffMs: number): Promise<void> {
      await prisma.$executeRaw`
        UPDATE avatar_deletions
        SET last_error = ${error.slice(0, 1000)}, available_at = now() + (${Math.round(backoffMs)}::int * interval '1 millisecond')
        WHERE id = ${id}`;
    },

    /** Due and overdue rows (guards still in their grace period are not a backlog). */
    async backlog(): Promise<{ due: number; oldestAgeSec: number }> {
      const [row] = await prisma.$queryRaw<{ due: bigint; oldest: number | null }[]>`
        SELECT count(*) AS due, extract(epoch FROM now() - min(created_at))::float8 AS oldest
        FROM avatar_deletions WHERE available_at <= now() OR attempts > 0`;
      return { due: Number(row?.due ?? 0), oldestAgeSec: row?.oldest ?? 0 };
    },
  };
}

export type AvatarDeletionsRepository = ReturnType<typeof createAvatarDeletionsRepository>;

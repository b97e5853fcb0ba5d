import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

/** A queued mail as the worker sees it. `attempts` counts this attempt too. */
export interface MailRow {
  id: bigint;
  template: string;
  userId: string | null;
  data: Record<string, unknown>;
  attempts: number;
}

export interface NewMail {
  template: string;
  userId?: string;
  /** Never a secret: rows wait in the database, sometimes for hours. */
  data?: Record<string, unknown>;
}

type RawRow = { id: bigint; template: string; user_id: string | null; data: Record<string, unknown>; attempts: number };

/** The only code that queries the mail_outbox table. */
export function createMailRepository(prisma: PrismaClient) {
  return {
    /** Call with the transaction that made the mail necessary: both commit or neither. */
    async enqueue(mail: NewMail, db: Db = prisma): Promise<void> {
      await db.mailOutbox.create({
        data: { template: mail.template, userId: mail.userId ?? null, data: (mail.data ?? {}) as Prisma.InputJsonValue },
      });
    },

    /**
     * Takes up to `limit` due rows by pushing their `available_at` one lease ahead, in one
     * statement. SKIP LOCKED lets N workers claim at once without taking the same row, and the
     * lease (rather than a transaction held open across the SMTP conversation) means no
     * connection waits on a slow mail server; a worker that dies mid-send simply lets its lease
     * run out and the row is sent again (at least once: a duplicate mail, never a lost one).
     */
    async claim(limit: number, leaseMs: number): Promise<MailRow[]> {
      const rows = await prisma.$queryRaw<RawRow[]>`
        UPDATE mail_outbox m
        SET attempts = m.attempts + 1, available_at = now() + (${leaseMs}::int * interval '1 millisecond')
        WHERE m.id IN (
          SELECT id FROM mail_outbox
          WHERE status = 'pending' AND available_at <= now()
          ORDER BY id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING m.id, m.template, m.user_id, m.data, m.attempts`;
      return rows
        .map((r) => ({ id: r.id, template: r.template, userId: r.user_id, data: r.data, attempts: r.attempts }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    markSent: (id: bigint, note?: string) =>
      prisma.mailOutbox.update({ where: { id }, data: { status: 'sent', sentAt: new Date(), lastError: note ?? null } }),

    async markRetry(id: bigint, error: string, backoffMs: number): Promise<void> {
      await prisma.$executeRaw`
        UPDATE mail_outbox
        SET last_error = ${error.slice(0, 1000)}, available_at = now() + (${Math.round(backoffMs)}::int * interval '1 millisecond')
        WHERE id = ${id}`;
    },

    markDead: (id: bigint, error: string) =>
      prisma.mailOutbox.update({ where: { id }, data: { status: 'dead', lastError: error.slice(0, 1000) } }),

    async stats(): Promise<{ pending: number; dead: number }> {
      const [row] = await prisma.$queryRaw<{ pending: bigint; dead: bigint }[]>`
        SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'dead') AS dead
        FROM mail_outbox WHERE status IN ('pending', 'dead')`;
      return { pending: Number(row?.pending ?? 0), dead: Number(row?.dead ?? 0) };
    },

    /** Sent rows are kept a while for support questions ("did the mail go out?"), then dropped. */
    async purgeSent(olderThan: Date): Promise<number> {
      const result = await prisma.mailOutbox.deleteMany({ where: { status: 'sent', sentAt: { lt: olderThan } } });
      return result.count;
    },

    listDead: (limit = 100) => prisma.mailOutbox.findMany({ where: { status: 'dead' }, orderBy: { id: 'asc' }, take: limit }),

    /** Puts dead mails back in line (all, or the given ids); returns how many. */
    async replayDead(ids?: bigint[]): Promise<number> {
      const result = await prisma.mailOutbox.updateMany({
        where: { status: 'dead', ...(ids ? { id: { in: ids } } : {}) },
        data: { status: 'pending', attempts: 0, availableAt: new Date(), lastError: null },
      });
      return result.count;
    },
  };
}

export type MailRepository = ReturnType<typeof createMailRepository>;

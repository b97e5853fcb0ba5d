import type { UserSnapshot } from '@authmeet/contracts';
import { currentTraceContext } from '@authmeet/telemetry';
import type { TraceCarrier } from '@authmeet/telemetry';
import { Prisma } from '../../generated/prisma/client.js';
import type { PrismaClient, User } from '../../generated/prisma/client.js';
import type { Db } from '../../plugins/prisma.js';

export const OUTBOX_CHANNEL = 'user_outbox';

/** What the meetings-service's sync route takes: the contract's snapshot. */
export type { UserSnapshot };

export interface OutboxRow {
  id: bigint;
  userId: string;
  version: number;
  kind: 'upsert' | 'delete';
  payload: UserSnapshot;
  attempts: number;
  createdAt: Date;
  /** Trace context and request id of the request that wrote the row (see telemetry). */
  traceContext: TraceCarrier | null;
}

export interface OutboxStats {
  pending: number;
  oldestPendingAgeSec: number;
  dead: number;
}

export function snapshotOf(user: User): UserSnapshot {
  return {
    email: user.email,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    isActive: user.isActive,
    emailVerified: user.emailVerified,
    mfaEnabled: user.mfaEnabled,
    roles: [...user.roles],
    avatarUrl: user.avatarUrl,
    version: user.version,
  };
}

type RawRow = {
  id: bigint;
  user_id: string;
  version: number;
  kind: 'upsert' | 'delete';
  payload: UserSnapshot;
  attempts: number;
  created_at: Date;
  trace_context: TraceCarrier | null;
};
const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  userId: r.user_id,
  version: r.version,
  kind: r.kind,
  payload: r.payload,
  attempts: r.attempts,
  createdAt: r.created_at,
  traceContext: r.trace_context,
});

/** The relay's claim as SQL, so test/outbox.test.ts can EXPLAIN exactly what runs. */
export const outboxQueries = {
  /**
   * Walks pending rows in id order (user_outbox_status_id_idx) and stops after `limit` heads,
   * however long the backlog: the cost of a batch does not grow with the rows behind it.
   */
  claimHeads: (limit: number) => Prisma.sql`
    SELECT o.id, o.user_id, o.version, o.kind, o.payload, o.attempts, o.created_at, o.trace_context
    FROM user_outbox o
    WHERE o.status = 'pending' AND o.available_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM user_outbox e
        WHERE e.status = 'pending' AND e.user_id = o.user_id AND e.id < o.id)
    ORDER BY o.id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`,
};

export function createOutboxRepository(prisma: PrismaClient) {
  return {
    /** Must be called with the transaction that changed the user: both commit or neither. */
    async enqueue(user: User, kind: 'upsert' | 'delete', tx: Db): Promise<void> {
      await tx.userOutbox.create({
        data: {
          userId: user.id,
          version: user.version,
          kind,
          payload: snapshotOf(user) as unknown as Prisma.InputJsonValue,
          // The delivery continues this request's trace, however much later it happens.
          traceContext: currentTraceContext(),
        },
      });
      // Delivered by Postgres only on commit; wakes the relay in well under a second.
      await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
    },

    /**
     * The oldest deliverable row of each user, locked. A row whose user has an earlier pending
     * row is never picked, so while one relay holds a user's head no other relay can overtake
     * it with a later version: per-user order holds with any number of replicas.
     */
    async claimHeads(tx: Prisma.TransactionClient, limit: number): Promise<OutboxRow[]> {
      const rows = await tx.$queryRaw<RawRow[]>(outboxQueries.claimHeads(limit));
      return rows.map(toRow);
    },

    /** The newest pending row per user: snapshots supersede, so only the newest is sent. */
    async newestPending(tx: Prisma.TransactionClient, userIds: string[]): Promise<OutboxRow[]> {
      if (userIds.length === 0) return [];
      const rows = await tx.$queryRaw<RawRow[]>`
        SELECT DISTINCT ON (user_id) id, user_id, version, kind, payload, attempts, created_at, trace_context
        FROM user_outbox
        WHERE status = 'pending' AND user_id = ANY(${userIds}::uuid[])
        ORDER BY user_id, id DESC`;
      return rows.map(toRow);
    },

    /** Delivered: each user's pending rows up to the one sent (its newest), for many users in one statement. */
    async markDeliveredMany(tx: Prisma.TransactionClient, items: { userId: string; uptoId: bigint }[]): Promise<number> {
      if (items.length === 0) return 0;
      return tx.$executeRaw`
        UPDATE user_outbox o SET status = 'delivered', delivered_at = ${new Date()}
        FROM unnest(${items.map((i) => i.userId)}::uuid[], ${items.map((i) => i.uptoId)}::bigint[]) AS d(user_id, upto_id)
        WHERE o.user_id = d.user_id AND o.status = 'pending' AND o.id <= d.upto_id`;
    },

    markRetry: (tx: Prisma.TransactionClient, headId: bigint, error: string, backoffMs: number) =>
      tx.userOutbox.update({
        where: { id: headId },
        data: { attempts: { increment: 1 }, lastError: error.slice(0, 1000), availableAt: new Date(Date.now() + backoffMs) },
      }),

    markDead: (tx: Prisma.TransactionClient, userId: string, uptoId: bigint, error: string) =>
      tx.userOutbox.updateMany({
        where: { userId, status: 'pending', id: { lte: uptoId } },
        data: { status: 'dead', lastError: error.slice(0, 1000), attempts: { increment: 1 } },
      }),

    async stats(): Promise<OutboxStats> {
      const [row] = await prisma.$queryRaw<{ pending: bigint; oldest: Date | null; dead: bigint }[]>`
        SELECT
          count(*) FILTER (WHERE status = 'pending') AS pending,
          min(created_at) FILTER (WHERE status = 'pending') AS oldest,
          count(*) FILTER (WHERE status = 'dead') AS dead
        FROM user_outbox WHERE status IN ('pending', 'dead')`;
      return {
        pending: Number(row?.pending ?? 0),
        oldestPendingAgeSec: row?.oldest ? Math.max(0, (Date.now() - row.oldest.getTime()) / 1000) : 0,
        dead: Number(row?.dead ?? 0),
      };
    },

    listDead: (limit = 100) =>
      prisma.userOutbox.findMany({ where: { status: 'dead' }, orderBy: { id: 'asc' }, take: limit }),

    /** Puts dead letters back in line (all, or the given ids); returns how many. */
    async replayDead(ids?: bigint[]): Promise<number> {
      const result = await prisma.userOutbox.updateMany({
        where: { status: 'dead', ...(ids ? { id: { in: ids } } : {}) },
        data: { status: 'pending', attempts: 0, availableAt: new Date(), lastError: null },
      });
      if (result.count > 0) await prisma.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
      return result.count;
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;

import type { AuditEvent, Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';
import { checkRun, eventHash } from './audit-chain.js';
import type { ChainBreak, ChainedContent } from './audit-chain.js';

/** An event as written: everything its hash covers except its place in the chain. */
export type NewAuditEvent = Omit<ChainedContent, 'id' | 'prevHash' | 'details'> & { details: Prisma.InputJsonObject };

export interface AuditFilter {
  actorId?: string | undefined;
  targetId?: string | undefined;
  type?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only events older than this id (the cursor of newest-first pages). */
  beforeId?: bigint | undefined;
}

export type VerifyResult = { ok: true; events: number; head: string } | { ok: false; events: number; broken: ChainBreak };

const VERIFY_PAGE = 1000;
/** Events of Redis-only changes written in one transaction at most (see appendNow). */
const GROUP_MAX = 200;

interface Waiting {
  events: readonly NewAuditEvent[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The only code that touches audit_events and audit_chain. */
export function createAuditRepository(prisma: PrismaClient) {
  /**
   * Appends in the caller's transaction. Locking the chain's single row (the UPDATE) makes every
   * writer wait for the one before to commit, so each event chains to the committed head and
   * ids follow the chain; a rolled-back change takes its events (and its ids) with it.
   */
  async function append(events: readonly NewAuditEvent[], tx: Prisma.TransactionClient): Promise<void> {
    if (events.length === 0) return;
    const [head] = await tx.$queryRaw<{ last_id: bigint; head_hash: string }[]>`
      UPDATE audit_chain SET last_id = last_id + ${events.length}, updated_at = now()
      WHERE id = 1 RETURNING last_id, head_hash`;
    if (!head) throw new Error('audit chain head missing (migrations not applied?)');
    let prevHash = head.head_hash;
    let id = head.last_id - BigInt(events.length);
    const rows = events.map((e) => {
      id += 1n;
      const hash = eventHash({ ...e, id, prevHash });
      const row = { ...e, id, prevHash, hash };
      prevHash = hash;
      return row;
    });
    await tx.auditEvent.createMany({ data: rows });
    await tx.$executeRaw`UPDATE audit_chain SET head_hash = ${prevHash} WHERE id = 1`;
  }

  // Group commit for appendNow. Every append holds the chain's row lock until its transaction
  // commits (a WAL flush), so one transaction per event made every login of the replica wait in
  // one queue for that lock. Events that arrive while a write is in flight join the next one:
  // one transaction, one turn of the lock, one flush for all of them, in arrival order. Each
  // caller still waits for the commit of its own event; a failed write fails all of its callers.
  let waiting: Waiting[] = [];
  let writing = false;
  async function writeGroups(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, GROUP_MAX);
      waiting = waiting.slice(group.length);
      try {
        await prisma.$transaction((tx) => append(group.flatMap((w) => w.events), tx));
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    writing = false;
  }

  return {
    append,

    /**
     * Appends in a transaction of its own (events of changes that live in Redis only), shared
     * with the events other requests append at the same moment; resolves once they committed.
     */
    appendNow: (events: readonly NewAuditEvent[]) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ events, resolve, reject });
        if (!writing) void writeGroups();
      }),

    list(filter: AuditFilter, limit: number, db: Db = prisma): Promise<AuditEvent[]> {
      return db.auditEvent.findMany({
        where: {
          actorId: filter.actorId,
          targetId: filter.targetId,
          type: filter.type,
          at: { gte: filter.from, lte: filter.to },
          id: filter.beforeId === undefined ? undefined : { lt: filter.beforeId },
        },
        orderBy: { id: 'desc' },
        take: limit,
      });
    },

    /**
     * Deletes events older than `cutoff` (a prefix of the chain) and records the last one's hash
     * as the anchor the first remaining event must chain to, then notes the pruning itself.
     */
    async prune(cutoff: Date, pruned: (count: number, anchorId: bigint, anchorHash: string) => NewAuditEvent): Promise<number> {
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM audit_chain WHERE id = 1 FOR UPDATE`;
        // Ids follow the chain: everything up to the newest expired event goes, so the rest is
        // one unbroken run from the anchor.
        const anchor = await tx.auditEvent.findFirst({ where: { at: { lt: cutoff } }, orderBy: { id: 'desc' }, select: { id: true, hash: true } });
        if (!anchor) return 0;
        const { count } = await tx.auditEvent.deleteMany({ where: { id: { lte: anchor.id } } });
        await tx.auditChain.update({ where: { id: 1 }, data: { anchorHash: anchor.hash, anchorId: anchor.id } });
        await append([pruned(count, anchor.id, anchor.hash)], tx);
        return count;
      });
    },

    /** Walks the whole chain in one snapshot (concurrent writers are not seen half-way). */
    verify(): Promise<VerifyResult> {
      return prisma.$transaction(
        async (tx) => {
          const chain = await tx.auditChain.findUniqueOrThrow({ where: { id: 1 } });
          let expected = chain.anchorHash;
          let afterId = chain.anchorId;
          let events = 0;
          for (;;) {
            const page = await tx.auditEvent.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: VERIFY_PAGE });
            const run = checkRun(expected, page);
            if ('broken' in run) return { ok: false, events, broken: run.broken };
            events += page.length;
            expected = run.last;
            const last = page.at(-1);
            if (!last || page.length < VERIFY_PAGE) break;
            afterId = last.id;
          }
          if (expected !== chain.headHash) return { ok: false, events, broken: { kind: 'head', expected: chain.headHash, found: expected } };
          return { ok: true, events, head: expected };
        },
        { isolationLevel: 'RepeatableRead' },
      );
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;

import type { AuditEvent, Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';
import { canonicalParts, checkRun, eventHash } from './audit-chain.js';
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
   * Appends one event in one statement: it locks the chain's single row, takes the next id and
   * the head's hash, inserts the event with its hash computed by Postgres over the canonical
   * text (`canonicalParts`, the same bytes `eventHash` reads back), and moves the head. The lock
   * makes every writer wait for the one before to commit, so each event chains to the committed
   * head and ids follow the chain; a rolled-back change takes its events (and ids) with it. One
   * round trip, and on its own (no caller transaction) no BEGIN/COMMIT either: a login's event
   * costs one statement.
   */
  async function appendOne(e: NewAuditEvent, db: Db | Prisma.TransactionClient): Promise<void> {
    const { beforeId, beforePrev, rest } = canonicalParts(e);
    const written = await db.$executeRaw`
      WITH head AS (
        SELECT last_id + 1 AS id, head_hash::text AS prev FROM audit_chain WHERE id = 1 FOR UPDATE
      ), event AS (
        INSERT INTO audit_events (id, at, type, outcome, actor_id, actor_type, target_id, ip, user_agent, request_id, details, prev_hash, hash)
        SELECT head.id, ${e.at.toISOString()}::timestamptz, ${e.type}, ${e.outcome}, ${e.actorId}::uuid, ${e.actorType},
               ${e.targetId}::uuid, ${e.ip}, ${e.userAgent}, ${e.requestId}, ${JSON.stringify(e.details)}::jsonb, head.prev,
               encode(sha256(convert_to(${beforeId} || head.id::text || ${beforePrev} || head.prev || ${rest}, 'UTF8')), 'hex')
        FROM head
        RETURNING id, hash
      )
      UPDATE audit_chain SET last_id = event.id, head_hash = event.hash, updated_at = now()
      FROM event WHERE audit_chain.id = 1`;
    if (written !== 1) throw new Error('audit chain head missing (migrations not applied?)');
  }

  /**
   * Appends several events in the caller's transaction with one turn of the chain's lock: the
   * UPDATE takes the lock and reserves their ids, the hashes are chained here (`eventHash`),
   * then one insert and the new head. Five round trips whatever the count.
   */
  async function appendMany(events: readonly NewAuditEvent[], tx: Prisma.TransactionClient): Promise<void> {
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

  /** Appends in the caller's transaction, in order. */
  async function append(events: readonly NewAuditEvent[], tx: Prisma.TransactionClient): Promise<void> {
    const [only] = events;
    if (events.length === 1 && only) await appendOne(only, tx);
    else if (events.length > 1) await appendMany(events, tx);
  }

  /** On its own: one event is one statement; several share a transaction. */
  async function appendAlone(events: readonly NewAuditEvent[]): Promise<void> {
    const [only] = events;
    if (events.length === 1 && only) await appendOne(only, prisma);
    else if (events.length > 1) await prisma.$transaction((tx) => appendMany(events, tx));
  }

  // Group commit for appendNow. Every append holds the chain's row lock until its transaction
  // commits (a WAL flush), so one transaction per event made every login of the replica wait in
  // one queue for that lock. Events that arrive while a write is in flight join the next one:
  // one transaction, one turn of the lock, one flush for all of them, in arrival order (and a
  // lone event is one statement). Each caller still waits for the commit of its own events; if a
  // group fails, each caller's events are tried alone, so one bad event fails only its request.
  let waiting: Waiting[] = [];
  let writing = false;
  async function writeGroups(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, GROUP_MAX);
      waiting = waiting.slice(group.length);
      try {
        await appendAlone(group.flatMap((w) => w.events));
        for (const w of group) w.resolve();
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error);
        else for (const w of group) await appendAlone(w.events).then(w.resolve, w.reject);
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

import type { AuditEvent, Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';
import { canonicalParts, checkRun } from './audit-chain.js';
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
/** Events of Redis-only changes written in one statement at most (see appendNow). */
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
   * Appends several events in one statement, as appendOne does one: the chain's row is locked,
   * a recursive step places each event after the one before (the next id, the hash over its
   * canonical text with the previous hash), the rows are inserted and the head moves. One round
   * trip whatever the count, and on its own no BEGIN/COMMIT: a group of logins' events takes
   * one turn of the lock, for one statement.
   */
  async function appendMany(events: readonly NewAuditEvent[], db: Db | Prisma.TransactionClient): Promise<void> {
    const parts = events.map((e) => canonicalParts(e));
    const column = <T>(pick: (e: NewAuditEvent) => T) => events.map(pick);
    const written = await db.$executeRaw`
      WITH RECURSIVE head AS (
        SELECT last_id, head_hash::text AS prev FROM audit_chain WHERE id = 1 FOR UPDATE
      ), input AS (
        SELECT * FROM unnest(
          ${column((e) => e.at.toISOString())}::timestamptz[], ${column((e) => e.type)}::text[], ${column((e) => e.outcome)}::text[],
          ${column((e) => e.actorId)}::uuid[], ${column((e) => e.actorType)}::text[], ${column((e) => e.targetId)}::uuid[],
          ${column((e) => e.ip)}::text[], ${column((e) => e.userAgent)}::text[], ${column((e) => e.requestId)}::text[],
          ${column((e) => JSON.stringify(e.details))}::jsonb[],
          ${parts.map((p) => p.beforeId)}::text[], ${parts.map((p) => p.beforePrev)}::text[], ${parts.map((p) => p.rest)}::text[]
        ) WITH ORDINALITY AS t(at, type, outcome, actor_id, actor_type, target_id, ip, user_agent, request_id, details, before_id, before_prev, rest, n)
      ), chain AS (
        SELECT 0::bigint AS n, head.last_id AS id, head.prev AS hash, NULL::text AS prev FROM head
        UNION ALL
        SELECT input.n, chain.id + 1,
               encode(sha256(convert_to(input.before_id || (chain.id + 1)::text || input.before_prev || chain.hash || input.rest, 'UTF8')), 'hex'),
               chain.hash
        FROM chain JOIN input ON input.n = chain.n + 1
      ), event AS (
        INSERT INTO audit_events (id, at, type, outcome, actor_id, actor_type, target_id, ip, user_agent, request_id, details, prev_hash, hash)
        SELECT chain.id, input.at, input.type, input.outcome, input.actor_id, input.actor_type, input.target_id, input.ip,
               input.user_agent, input.request_id, input.details, chain.prev, chain.hash
        FROM chain JOIN input ON input.n = chain.n
        RETURNING id, hash
      )
      UPDATE audit_chain SET (last_id, head_hash, updated_at) = (SELECT id, hash, now() FROM event ORDER BY id DESC LIMIT 1)
      WHERE audit_chain.id = 1 AND EXISTS (SELECT 1 FROM event)`;
    if (written !== 1) throw new Error('audit chain head missing (migrations not applied?)');
  }

  /** Appends in the caller's transaction, in order. */
  async function append(events: readonly NewAuditEvent[], tx: Prisma.TransactionClient): Promise<void> {
    const [only] = events;
    if (events.length === 1 && only) await appendOne(only, tx);
    else if (events.length > 1) await appendMany(events, tx);
  }

  /** On its own: one statement (and its own transaction) whatever the count. */
  async function appendAlone(events: readonly NewAuditEvent[]): Promise<void> {
    const [only] = events;
    if (events.length === 1 && only) await appendOne(only, prisma);
    else if (events.length > 1) await appendMany(events, prisma);
  }

  // Group commit for appendNow. Every append holds the chain's row lock until its transaction
  // commits (a WAL flush), so one transaction per event made every login of the replica wait in
  // one queue for that lock. Events that arrive while a write is in flight join the next one:
  // one statement (its own transaction), one turn of the lock, one flush for all of them, in
  // arrival order. Each caller still waits for the commit of its own events; if a
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
     * Appends in a statement of its own (events of changes that live in Redis only), shared
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

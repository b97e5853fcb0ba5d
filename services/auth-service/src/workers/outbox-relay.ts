import { backlogGauge, createPollingWorker, createWaker, exponentialBackoff, LATENCY_BUCKETS, mapConcurrently } from '@authmeet/http-kit';
import { runInTraceContext } from '@authmeet/telemetry';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { OutboxRepository, OutboxRow, UserSnapshot } from '../modules/outbox/outbox.repository.js';
import { OUTBOX_CHANNEL } from '../modules/outbox/outbox.repository.js';

/** Where user changes go: the meetings-service's internal routes. Returns the HTTP status. */
export interface UserSyncTarget {
  put(userId: string, snapshot: UserSnapshot): Promise<number>;
  remove(userId: string, version: number): Promise<number>;
  /** Many users' snapshots in one request (each applied as by `put`); absent: one `put` each. */
  putMany?(users: { userId: string; snapshot: UserSnapshot }[]): Promise<number>;
}

export interface OutboxRelayOptions {
  prisma: PrismaClient;
  outbox: OutboxRepository;
  target: UserSyncTarget;
  /** A direct Postgres URL for LISTEN (a session-mode connection; polling covers its absence). */
  listenUrl: string;
  log: FastifyBaseLogger;
  metrics?: Registry;
  batchSize: number;
  concurrency: number;
  pollMs: number;
  maxBackoffMs: number;
  /** Test hook: runs after a successful delivery and before it is marked; a throw simulates a crash. */
  onDelivered?: (row: OutboxRow) => Promise<void>;
}

/** The dependency cannot be reached at all (breaker open, retries exhausted): stop and wait. */
function unavailableFor(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfterSec?: unknown };
  if (e.code !== 'DEPENDENCY_UNAVAILABLE') return undefined;
  return typeof e.retryAfterSec === 'number' ? e.retryAfterSec : 1;
}

const isDeadStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

type Delivery = { head: OutboxRow; row: OutboxRow };

/**
 * Delivers outbox rows at least once, in order per user. Each batch runs in one transaction
 * that holds row locks while delivering, so a crash before the commit leaves the rows pending
 * and they are delivered again; the receiver ignores versions it already has.
 */
export function createOutboxRelay(opts: OutboxRelayOptions) {
  const { prisma, outbox, target, log } = opts;
  // NOTIFYs that arrive mid-batch are remembered: the next idle sleep returns at once.
  const waker = createWaker();
  const metrics = relayMetrics(opts.metrics, outbox);
  const backoff = exponentialBackoff({ baseMs: 250, maxMs: opts.maxBackoffMs, maxExponent: 16 });

  // Each delivery continues the trace of the request that wrote the row (the newest one sent).
  const send = (row: OutboxRow) =>
    runInTraceContext(row.traceContext, 'outbox deliver', { 'authmeet.outbox.kind': row.kind, 'authmeet.outbox.version': row.version }, () =>
      row.kind === 'delete' ? target.remove(row.userId, row.version) : target.put(row.userId, row.payload),
    );

  /** Marks the deliveries the target acknowledged, in one statement. */
  async function settleDelivered(tx: Tx, delivered: Outcome[]): Promise<void> {
    if (delivered.length === 0) return;
    for (const o of delivered) await opts.onDelivered?.(o.row);
    await outbox.markDeliveredMany(tx, delivered.map((o) => ({ userId: o.row.userId, uptoId: o.row.id })));
    metrics.deliveries?.inc({ result: 'delivered' }, delivered.length);
    // The head is the oldest change a delivery covers: the longest wait among them.
    const now = Date.now();
    for (const o of delivered) metrics.syncLag?.observe(Math.max(0, now - o.head.createdAt.getTime()) / 1000);
  }

  /** Records one failed delivery's outcome in the batch transaction; returns how long to wait if the target is down. */
  async function settle(tx: Tx, o: Outcome): Promise<number | undefined> {
    if ('error' in o) {
      const wait = unavailableFor(o.error);
      if (wait !== undefined) return wait; // untouched: retried once the target is back
      await outbox.markRetry(tx, o.head.id, String((o.error as Error).message ?? o.error), backoff(o.head.attempts));
      metrics.deliveries?.inc({ result: 'retry' });
    } else if (isDeadStatus(o.status)) {
      // A refusal that retrying cannot fix: park it for a human (see README, dead letters).
      await outbox.markDead(tx, o.row.userId, o.row.id, `HTTP ${o.status}`);
      metrics.deliveries?.inc({ result: 'dead' });
      log.error({ userId: o.row.userId, version: o.row.version, status: o.status }, 'outbox row dead-lettered');
    } else {
      await outbox.markRetry(tx, o.head.id, `HTTP ${o.status}`, backoff(o.head.attempts));
      metrics.deliveries?.inc({ result: 'retry' });
    }
    return undefined;
  }

  const deliverEach = mapConcurrently(opts.concurrency, async ({ head, row }: Delivery): Promise<Outcome> => {
    try {
      return { head, row, status: await send(row) };
    } catch (error) {
      return { head, row, error };
    }
  });

  /**
   * Upserts go in one batch request when the target takes them; each user keeps the outcome it
   * would have had alone: the batch's status or error applies to every user in it, except a
   * refusal (4xx other than 408/429: one snapshot it cannot take, or a receiver without the
   * batch route), after which each user is sent alone so that only a refused one is dead-lettered.
   */
  async function deliverAll(items: Delivery[]): Promise<Outcome[]> {
    const upserts = items.filter((d) => d.row.kind === 'upsert');
    const putMany = target.putMany?.bind(target);
    if (putMany === undefined || upserts.length < 2) return deliverEach(items);
    const batch = runInTraceContext(null, 'outbox deliver batch', { 'authmeet.outbox.users': upserts.length }, () =>
      putMany(upserts.map((d) => ({ userId: d.row.userId, snapshot: d.row.payload }))),
    ).then(
      (status): Outcome[] | undefined => (isDeadStatus(status) ? undefined : upserts.map((d) => ({ ...d, status }))),
      (error: unknown): Outcome[] => upserts.map((d) => ({ ...d, error })),
    );
    const [batched, others] = await Promise.all([batch, deliverEach(items.filter((d) => d.row.kind !== 'upsert'))]);
    return [...(batched ?? (await deliverEach(upserts))), ...others];
  }

  /** One batch. Returns how many users were handled and, if the target is down, how long to wait. */
  async function runOnce(): Promise<{ handled: number; waitSec?: number }> {
    return prisma.$transaction(
      async (tx) => {
        const heads = await outbox.claimHeads(tx, opts.batchSize);
        if (heads.length === 0) return { handled: 0 };
        const newest = new Map((await outbox.newestPending(tx, heads.map((h) => h.userId))).map((r) => [r.userId, r]));
        const outcomes = await deliverAll(heads.map((head) => ({ head, row: newest.get(head.userId) ?? head })));
        const acknowledged = (o: Outcome) => !('error' in o) && o.status >= 200 && o.status < 300;
        await settleDelivered(tx, outcomes.filter(acknowledged));
        let waitSec: number | undefined;
        for (const o of outcomes.filter((x) => !acknowledged(x))) {
          const wait = await settle(tx, o);
          if (wait !== undefined) waitSec = Math.max(waitSec ?? 0, wait);
        }
        return waitSec === undefined ? { handled: heads.length } : { handled: heads.length, waitSec };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  const listener = outboxListener({ url: opts.listenUrl, log, onNotify: () => waker.wake(), isRunning: () => worker.running });
  const worker = createPollingWorker({
    runOnce: async () => {
      const { handled, waitSec } = await runOnce();
      return waitSec === undefined ? { handled } : { handled, waitMs: waitSec * 1000 };
    },
    pollMs: opts.pollMs,
    waker,
    onBatchError: (err) => log.warn({ err: (err as Error).message }, 'outbox batch failed; will retry'),
    onStart: () => void listener.listen(),
    onStop: () => listener.close(),
  });

  return {
    start: worker.start,
    stop: worker.stop,
    /** For tests and the replay command: one batch now. */
    runOnce,
  };
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type Outcome = { head: OutboxRow; row: OutboxRow; status: number } | { head: OutboxRow; row: OutboxRow; error: unknown };

function relayMetrics(registry: Registry | undefined, outbox: OutboxRepository) {
  if (!registry) return {};
  const stats = backlogGauge(registry, {
    name: 'outbox_backlog',
    help: 'Outbox rows by state (pending: not yet delivered; dead: dead letters awaiting replay)',
    stats: () => outbox.stats(),
    cacheMs: 500,
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest undelivered outbox row',
    registers: [registry],
    async collect() {
      this.set((await stats()).oldestPendingAgeSec);
    },
  });
  return {
    deliveries: new Counter({ name: 'outbox_deliveries_total', help: 'Outbox deliveries by result', labelNames: ['result'] as const, registers: [registry] }),
    syncLag: new Histogram({
      name: 'user_sync_lag_seconds',
      help: 'From the commit of a user change to its acknowledged delivery to the meetings-service',
      buckets: [...LATENCY_BUCKETS, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
  };
}

/** LISTEN on the outbox channel over its own connection, reconnecting every 2 s while the relay runs. */
function outboxListener(opts: { url: string; log: FastifyBaseLogger; onNotify: () => void; isRunning: () => boolean }) {
  const { log } = opts;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  async function listen(): Promise<void> {
    if (!opts.isRunning()) return;
    const next = new pg.Client({ connectionString: opts.url });
    next.on('notification', opts.onNotify);
    next.on('error', (err) => {
      log.warn({ err: err.message }, 'outbox listener lost; polling until it reconnects');
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      if (opts.isRunning()) retry = setTimeout(() => void listen(), 2000);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
      client = next;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox listener could not connect; polling');
      await next.end().catch(() => undefined);
      if (opts.isRunning()) retry = setTimeout(() => void listen(), 2000);
    }
  }

  return {
    listen,
    async close(): Promise<void> {
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

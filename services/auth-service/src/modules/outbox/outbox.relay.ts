import { createWaker, LATENCY_BUCKETS } from '@authmeet/http-kit';
import { runInTraceContext } from '@authmeet/telemetry';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import pLimit from 'p-limit';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { OutboxRepository, OutboxRow, UserSnapshot } from './outbox.repository.js';
import { OUTBOX_CHANNEL } from './outbox.repository.js';

/** Where user changes go: the meetings-service's internal routes. Returns the HTTP status. */
export interface UserSyncTarget {
  put(userId: string, snapshot: UserSnapshot): Promise<number>;
  remove(userId: string, version: number): Promise<number>;
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

/**
 * Delivers outbox rows at least once, in order per user. Each batch runs in one transaction
 * that holds row locks while delivering, so a crash before the commit leaves the rows pending
 * and they are delivered again; the receiver ignores versions it already has.
 */
export function createOutboxRelay(opts: OutboxRelayOptions) {
  const { prisma, outbox, target, log } = opts;
  const limit = pLimit(opts.concurrency);
  let running = false;
  let loop: Promise<void> | undefined;
  // NOTIFYs that arrive mid-batch are remembered: the next idle sleep returns at once.
  const waker = createWaker();
  let listener: pg.Client | undefined;
  let listenerRetry: NodeJS.Timeout | undefined;

  const deliveries = opts.metrics
    ? new Counter({ name: 'outbox_deliveries_total', help: 'Outbox deliveries by result', labelNames: ['result'] as const, registers: [opts.metrics] })
    : undefined;
  const syncLag = opts.metrics
    ? new Histogram({
        name: 'user_sync_lag_seconds',
        help: 'From the commit of a user change to its acknowledged delivery to the meetings-service',
        buckets: [...LATENCY_BUCKETS, 30, 60, 300, 900, 3600],
        registers: [opts.metrics],
      })
    : undefined;
  if (opts.metrics) {
    let cached: { at: number; value: Promise<Awaited<ReturnType<OutboxRepository['stats']>>> } | undefined;
    const stats = () => {
      if (!cached || Date.now() - cached.at > 500) cached = { at: Date.now(), value: outbox.stats() };
      return cached.value;
    };
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows by state (pending: not yet delivered; dead: dead letters awaiting replay)',
      labelNames: ['state'] as const,
      registers: [opts.metrics],
      async collect() {
        const s = await stats();
        this.set({ state: 'pending' }, s.pending);
        this.set({ state: 'dead' }, s.dead);
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered outbox row',
      registers: [opts.metrics],
      async collect() {
        this.set((await stats()).oldestPendingAgeSec);
      },
    });
  }

  const backoff = (attempts: number) =>
    Math.min(opts.maxBackoffMs, 250 * 2 ** Math.min(attempts, 16)) * (0.5 + Math.random() / 2);

  // Each delivery continues the trace of the request that wrote the row (the newest one sent).
  const send = (row: OutboxRow) =>
    runInTraceContext(row.traceContext, 'outbox deliver', { 'authmeet.outbox.kind': row.kind, 'authmeet.outbox.version': row.version }, () =>
      row.kind === 'delete' ? target.remove(row.userId, row.version) : target.put(row.userId, row.payload),
    );

  /** One batch. Returns how many users were handled and, if the target is down, how long to wait. */
  async function runOnce(): Promise<{ handled: number; waitSec?: number }> {
    return prisma.$transaction(
      async (tx) => {
        const heads = await outbox.claimHeads(tx, opts.batchSize);
        if (heads.length === 0) return { handled: 0 };
        const newest = new Map((await outbox.newestPending(tx, heads.map((h) => h.userId))).map((r) => [r.userId, r]));
        const outcomes = await Promise.all(
          heads.map((head) =>
            limit(async () => {
              const row = newest.get(head.userId) ?? head;
              try {
                return { head, row, status: await send(row) };
              } catch (error) {
                return { head, row, error };
              }
            }),
          ),
        );
        let waitSec: number | undefined;
        for (const o of outcomes) {
          if ('error' in o) {
            const wait = unavailableFor(o.error);
            if (wait !== undefined) {
              waitSec = Math.max(waitSec ?? 0, wait); // untouched: retried once the target is back
              continue;
            }
            await outbox.markRetry(tx, o.head.id, String((o.error as Error).message ?? o.error), backoff(o.head.attempts));
            deliveries?.inc({ result: 'retry' });
          } else if (o.status >= 200 && o.status < 300) {
            await opts.onDelivered?.(o.row);
            await outbox.markDelivered(tx, o.row.userId, o.row.id);
            deliveries?.inc({ result: 'delivered' });
            // The head is the oldest change this delivery covers: the longest wait among them.
            syncLag?.observe(Math.max(0, Date.now() - o.head.createdAt.getTime()) / 1000);
          } else if (isDeadStatus(o.status)) {
            // A refusal that retrying cannot fix: park it for a human (see README, dead letters).
            await outbox.markDead(tx, o.row.userId, o.row.id, `HTTP ${o.status}`);
            deliveries?.inc({ result: 'dead' });
            log.error({ userId: o.row.userId, version: o.row.version, status: o.status }, 'outbox row dead-lettered');
          } else {
            await outbox.markRetry(tx, o.head.id, `HTTP ${o.status}`, backoff(o.head.attempts));
            deliveries?.inc({ result: 'retry' });
          }
        }
        return waitSec === undefined ? { handled: heads.length } : { handled: heads.length, waitSec };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  async function listen(): Promise<void> {
    if (!running) return;
    const client = new pg.Client({ connectionString: opts.listenUrl });
    client.on('notification', () => waker.wake());
    client.on('error', (err) => {
      log.warn({ err: err.message }, 'outbox listener lost; polling until it reconnects');
      void client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      if (running) listenerRetry = setTimeout(() => void listen(), 2000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox listener could not connect; polling');
      await client.end().catch(() => undefined);
      if (running) listenerRetry = setTimeout(() => void listen(), 2000);
    }
  }

  async function run(): Promise<void> {
    while (running) {
      let result: { handled: number; waitSec?: number } = { handled: 0 };
      try {
        result = await runOnce();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'outbox batch failed; will retry');
        await waker.sleep(opts.pollMs);
        continue;
      }
      if (!running) break;
      if (result.waitSec !== undefined) await waker.sleep(result.waitSec * 1000);
      else if (result.handled === 0) await waker.sleep(opts.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      void listen();
      loop = run();
    },
    async stop() {
      running = false;
      clearTimeout(listenerRetry);
      waker.wake();
      await loop;
      await listener?.end().catch(() => undefined);
      listener = undefined;
    },
    /** For tests and the replay command: one batch now. */
    runOnce,
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

import { backlogGauge, createPollingWorker, exponentialBackoff } from '@authmeet/http-kit';
import type { Waker } from '@authmeet/http-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AvatarDeletionRow, AvatarDeletionsRepository } from '../modules/avatars/avatar-deletions.repository.js';
import type { AvatarStorage } from '../modules/avatars/avatar-storage.js';

export interface AvatarDeletionWorkerOptions {
  deletions: AvatarDeletionsRepository;
  storage: Pick<AvatarStorage, 'delete' | 'deletePrefix'>;
  log: FastifyBaseLogger;
  metrics?: Registry;
  pollMs: number;
  maxBackoffMs: number;
  /** Longer than a deletion can take (a prefix of many objects takes several requests). */
  leaseMs: number;
  batchSize?: number;
  /** Woken when a deletion is queued on this replica; the worker's own if absent. */
  waker?: Waker;
}

const causeOf = (error: unknown): string => {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const e = cause as { name?: unknown; message?: unknown };
  return [e.name, e.message].filter((v) => typeof v === 'string' && v !== '').join(': ') || String(cause);
};

/**
 * Deletes queued bucket objects one row at a time, retrying with capped exponential backoff for
 * as long as it takes: a deletion is never given up (no dead letters), because giving up would
 * leave a picture of a closed account in a public bucket. Safe with any number of replicas.
 */
export function createAvatarDeletionWorker(opts: AvatarDeletionWorkerOptions) {
  const { deletions, storage, log } = opts;
  const attempts = opts.metrics
    ? new Counter({ name: 'avatar_deletions_total', help: 'Picture deletion attempts by result', labelNames: ['result'] as const, registers: [opts.metrics] })
    : undefined;
  backlogGauge(opts.metrics, {
    name: 'avatar_deletion_backlog',
    help: 'Picture deletions due or failing (pending; a growing value means the storage refuses deletes); dead is always 0',
    stats: async () => ({ pending: (await deletions.backlog()).due, dead: 0 }),
  });
  const backoff = exponentialBackoff({ baseMs: 1000, maxMs: opts.maxBackoffMs, maxExponent: 20 });

  async function deleteOne(row: AvatarDeletionRow): Promise<void> {
    try {
      if (row.prefix) await storage.deletePrefix(row.key);
      else await storage.delete(row.key);
      await deletions.done(row.id);
      attempts?.inc({ result: 'deleted' });
    } catch (error) {
      const delay = backoff(row.attempts - 1);
      await deletions.retryLater(row.id, causeOf(error), delay);
      attempts?.inc({ result: 'retry' });
      log.warn({ key: row.key, attempts: row.attempts, retryInMs: Math.round(delay), err: causeOf(error) }, 'picture deletion failed; will retry');
    }
  }

  /** One batch now; returns how many rows were claimed. */
  async function runOnce(): Promise<number> {
    const rows = await deletions.claim(opts.batchSize ?? 20, opts.leaseMs);
    for (const row of rows) await deleteOne(row);
    return rows.length;
  }

  const worker = createPollingWorker({
    runOnce: async () => ({ handled: await runOnce() }),
    pollMs: opts.pollMs,
    ...(opts.waker ? { waker: opts.waker } : {}),
    onBatchError: (err) => log.warn({ err: causeOf(err) }, 'picture deletion batch failed; will retry'),
  });
  return { start: worker.start, stop: worker.stop, kick: worker.kick, runOnce };
}

export type AvatarDeletionWorker = ReturnType<typeof createAvatarDeletionWorker>;

import { backlogGauge, createPollingWorker, exponentialBackoff, mapConcurrently } from '@authmeet/http-kit';
import type { Waker } from '@authmeet/http-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MailComposer, Mailer } from '../modules/mail/mailer.js';
import type { MailRepository, MailRow } from '../modules/mail/mail.repository.js';

export interface MailWorkerOptions {
  mails: MailRepository;
  mailer: Pick<Mailer, 'send'>;
  composers: Record<string, MailComposer>;
  log: FastifyBaseLogger;
  metrics?: Registry;
  batchSize: number;
  concurrency: number;
  pollMs: number;
  maxAttempts: number;
  maxBackoffMs: number;
  /** How long a claimed row stays invisible to other workers; longer than any send can take. */
  leaseMs: number;
  retentionSec: number;
  /** More cleanup to run with the worker's own (e.g. expired one-time tokens). */
  housekeeping?: () => Promise<void>;
  /** Woken when mail is queued on this replica (see `kick`); the worker's own if absent. */
  waker?: Waker;
}

const HOUSEKEEPING_EVERY_MS = 10 * 60 * 1000;

const describe = (error: unknown) => {
  const e = error as { message?: unknown; code?: unknown; responseCode?: unknown };
  return [e.code, e.responseCode, e.message].filter((v) => v !== undefined && v !== '').join(' ') || String(error);
};

/**
 * Sends queued mail with retries and exponential backoff. Safe with any number of replicas (rows
 * are claimed with SKIP LOCKED and a lease). A failed attempt is logged and retried; after
 * `maxAttempts` the row is parked as `dead` for a human, never dropped.
 */
export function createMailWorker(opts: MailWorkerOptions) {
  const { mails, mailer, log } = opts;
  let lastHousekeeping = 0;

  const sends = opts.metrics
    ? new Counter({ name: 'mail_sends_total', help: 'Mail send attempts by result', labelNames: ['template', 'result'] as const, registers: [opts.metrics] })
    : undefined;
  backlogGauge(opts.metrics, {
    name: 'mail_backlog',
    help: 'Queued mails by state (pending: not yet sent; dead: gave up, awaiting a human)',
    stats: () => mails.stats(),
  });

  const backoff = exponentialBackoff({ baseMs: 1000, maxMs: opts.maxBackoffMs, maxExponent: 20 });

  async function deliver(row: MailRow): Promise<void> {
    const compose = opts.composers[row.template];
    if (!compose) {
      await mails.markDead(row.id, `no composer for template "${row.template}"`);
      log.error({ mailId: String(row.id), template: row.template }, 'mail dead-lettered: unknown template');
      return;
    }
    try {
      const mail = await compose(row);
      if ('skip' in mail) {
        await mails.markSent(row.id, `skipped: ${mail.skip}`);
        sends?.inc({ template: row.template, result: 'skipped' });
        return;
      }
      await mailer.send(mail);
      await mails.markSent(row.id);
      sends?.inc({ template: row.template, result: 'sent' });
      log.info({ mailId: String(row.id), template: row.template, attempts: row.attempts }, 'mail sent');
    } catch (error) {
      const reason = describe(error);
      if (row.attempts >= opts.maxAttempts) {
        await mails.markDead(row.id, reason);
        sends?.inc({ template: row.template, result: 'dead' });
        log.error({ mailId: String(row.id), template: row.template, attempts: row.attempts, err: reason }, 'mail dead-lettered after repeated failures');
        return;
      }
      const delay = backoff(row.attempts - 1);
      await mails.markRetry(row.id, reason, delay);
      sends?.inc({ template: row.template, result: 'retry' });
      log.warn({ mailId: String(row.id), template: row.template, attempts: row.attempts, retryInMs: Math.round(delay), err: reason }, 'mail send failed; will retry');
    }
  }

  const deliverAll = mapConcurrently(opts.concurrency, deliver);

  /** One batch now; returns how many rows were claimed. */
  async function runOnce(): Promise<number> {
    const rows = await mails.claim(opts.batchSize, opts.leaseMs);
    await deliverAll(rows);
    return rows.length;
  }

  async function housekeeping(): Promise<void> {
    if (Date.now() - lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    lastHousekeeping = Date.now();
    const purged = await mails.purgeSent(new Date(Date.now() - opts.retentionSec * 1000));
    if (purged > 0) log.info({ purged }, 'purged sent mails past retention');
    await opts.housekeeping?.();
  }

  // A kick that arrives while a batch runs means new rows: the next sleep returns at once.
  const worker = createPollingWorker({
    runOnce: async () => ({ handled: await runOnce() }),
    afterBatch: housekeeping,
    pollMs: opts.pollMs,
    ...(opts.waker ? { waker: opts.waker } : {}),
    onBatchError: (err) => log.warn({ err: describe(err) }, 'mail batch failed; will retry'),
  });

  return {
    start: worker.start,
    stop: worker.stop,
    /** New mail was queued on this replica: send it now rather than at the next poll. */
    kick: worker.kick,
    runOnce,
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;

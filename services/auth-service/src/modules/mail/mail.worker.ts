import { createWaker } from '@authmeet/http-kit';
import type { FastifyBaseLogger } from 'fastify';
import pLimit from 'p-limit';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Mailer, OutgoingMail } from './mailer.js';
import type { MailRepository, MailRow } from './mail.repository.js';

/**
 * Turns a queued row into a mail at send time, or `{ skip }` when there is nothing left to send
 * (the user verified meanwhile, the account is gone). Composing late lets one-time tokens be
 * minted here, so a secret never waits in the queue table.
 */
export type MailComposer = (row: MailRow) => Promise<OutgoingMail | { skip: string }>;

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
  const limit = pLimit(opts.concurrency);
  let running = false;
  let loop: Promise<void> | undefined;
  // A kick that arrives while a batch runs means new rows: the next sleep returns at once.
  const waker = createWaker();
  let lastHousekeeping = 0;

  const sends = opts.metrics
    ? new Counter({ name: 'mail_sends_total', help: 'Mail send attempts by result', labelNames: ['template', 'result'] as const, registers: [opts.metrics] })
    : undefined;
  if (opts.metrics) {
    new Gauge({
      name: 'mail_backlog',
      help: 'Queued mails by state (pending: not yet sent; dead: gave up, awaiting a human)',
      labelNames: ['state'] as const,
      registers: [opts.metrics],
      async collect() {
        const s = await mails.stats();
        this.set({ state: 'pending' }, s.pending);
        this.set({ state: 'dead' }, s.dead);
      },
    });
  }

  const backoff = (attempts: number) => Math.min(opts.maxBackoffMs, 1000 * 2 ** Math.min(attempts - 1, 20)) * (0.5 + Math.random() / 2);

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
      const delay = backoff(row.attempts);
      await mails.markRetry(row.id, reason, delay);
      sends?.inc({ template: row.template, result: 'retry' });
      log.warn({ mailId: String(row.id), template: row.template, attempts: row.attempts, retryInMs: Math.round(delay), err: reason }, 'mail send failed; will retry');
    }
  }

  /** One batch now; returns how many rows were claimed. */
  async function runOnce(): Promise<number> {
    const rows = await mails.claim(opts.batchSize, opts.leaseMs);
    await Promise.all(rows.map((row) => limit(() => deliver(row))));
    return rows.length;
  }

  async function housekeeping(): Promise<void> {
    if (Date.now() - lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    lastHousekeeping = Date.now();
    const purged = await mails.purgeSent(new Date(Date.now() - opts.retentionSec * 1000));
    if (purged > 0) log.info({ purged }, 'purged sent mails past retention');
    await opts.housekeeping?.();
  }

  async function run(): Promise<void> {
    while (running) {
      let claimed = 0;
      try {
        claimed = await runOnce();
        await housekeeping();
      } catch (err) {
        log.warn({ err: describe(err) }, 'mail batch failed; will retry');
      }
      if (running && claimed === 0) await waker.sleep(opts.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      waker.wake();
      await loop;
    },
    /** New mail was queued on this replica: send it now rather than at the next poll. */
    kick() {
      waker.wake();
    },
    runOnce,
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;

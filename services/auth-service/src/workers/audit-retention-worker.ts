import { createPollingWorker } from '@authmeet/http-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditRetention } from '../modules/audit/audit.retention.js';

export interface AuditRetentionWorkerOptions {
  retention: AuditRetention;
  log: FastifyBaseLogger;
  /** AUDIT_PRUNE_INTERVAL: how long the worker sleeps after a run that pruned nothing. */
  pollMs: number;
}

/**
 * Prunes the audit trail at start and then every interval, on the shared worker loop: a run that
 * pruned something is followed by another at once (nothing more is due then, so it stops), a
 * failed run is logged and retried at the next interval, and `stop` waits for the run in flight.
 */
export function createAuditRetentionWorker(opts: AuditRetentionWorkerOptions) {
  const worker = createPollingWorker({
    runOnce: async () => ({ handled: await opts.retention.runOnce() }),
    pollMs: opts.pollMs,
    onBatchError: (err) => opts.log.warn({ err }, 'audit retention run failed; retrying at the next interval'),
  });
  return { start: worker.start, stop: worker.stop, runOnce: opts.retention.runOnce };
}

export type AuditRetentionWorker = ReturnType<typeof createAuditRetentionWorker>;

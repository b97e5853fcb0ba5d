import type { FastifyBaseLogger } from 'fastify';
import type { AuditRepository } from './audit.repository.js';

export interface AuditRetentionDeps {
  repository: Pick<AuditRepository, 'prune'>;
  log: FastifyBaseLogger;
  clock: () => number;
  retentionSec: number;
  intervalSec: number;
}

/**
 * Prunes events older than the retention, on every replica at the interval: the chain's head
 * lock makes the runs queue, and a run that finds nothing old enough does nothing.
 */
export function createAuditRetention(deps: AuditRetentionDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function runOnce(): Promise<number> {
    const cutoff = new Date(deps.clock() - deps.retentionSec * 1000);
    const count = await deps.repository.prune(cutoff, (pruned, anchorId, anchorHash) => ({
      at: new Date(deps.clock()),
      type: 'audit.pruned',
      outcome: 'success',
      actorId: null,
      actorType: 'system',
      targetId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      details: { count: pruned, anchorId: anchorId.toString(), anchorHash, before: cutoff.toISOString() },
    }));
    if (count > 0) deps.log.info({ count, before: cutoff.toISOString() }, 'audit events pruned');
    return count;
  }

  return {
    runOnce,
    start() {
      timer = setInterval(() => {
        running ??= runOnce()
          .catch((err: unknown) => {
            deps.log.warn({ err }, 'audit retention run failed; retrying at the next interval');
            return 0;
          })
          .finally(() => {
            running = undefined;
          });
      }, deps.intervalSec * 1000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

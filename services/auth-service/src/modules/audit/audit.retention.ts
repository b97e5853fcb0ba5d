import type { FastifyBaseLogger } from 'fastify';
import type { AuditRepository } from './audit.repository.js';

export interface AuditRetentionDeps {
  repository: Pick<AuditRepository, 'prune'>;
  log: FastifyBaseLogger;
  clock: () => number;
  retentionSec: number;
}

/**
 * One pruning run: deletes the events older than the retention and records the anchor. The
 * retention worker (src/workers) runs it at start and then at every interval, on every replica:
 * the chain's head lock makes the runs queue, and a run that finds nothing old enough does nothing.
 */
export function createAuditRetention(deps: AuditRetentionDeps) {
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

  return { runOnce };
}

export type AuditRetention = ReturnType<typeof createAuditRetention>;

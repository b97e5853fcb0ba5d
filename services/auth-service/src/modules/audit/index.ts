import { Counter } from 'prom-client';
import type { ServiceContext } from '../../context.js';
import { createAuditRepository } from './audit.repository.js';
import { createAuditRetention } from './audit.retention.js';
import { activityRoutes, adminAuditRoutes } from './audit.routes.js';
import { createAuditService } from './audit.service.js';

export type { AuditRecorder } from './audit.service.js';

/**
 * The audit trail: the recorder other modules write events with (in their transactions), the
 * admin and activity routes, and the retention job's pruning run. Events take the ip, user agent and request
 * id of the request they are written in (the request scope http-kit opens for each request).
 */
export function auditModule({ app, config, clock }: ServiceContext) {
  const repository = createAuditRepository(app.prisma);
  const audit = createAuditService({
    repository,
    clock,
    log: app.log,
    failures: new Counter({
      name: 'audit_write_failures_total',
      help: 'Audit events that could not be written (the request they belong to failed with them), by event type',
      labelNames: ['type'] as const,
      registers: [app.metrics],
    }),
    actions: new Counter({
      name: 'admin_actions_total',
      help: 'Admin and operator actions recorded in the audit trail, by event type',
      labelNames: ['type'] as const,
      registers: [app.metrics],
    }),
  });
  // Run by the retention worker (src/workers), like every background loop.
  const retention = createAuditRetention({ repository, log: app.log, clock, retentionSec: config.audit.retentionSec });
  return { recorder: audit, retention, adminRoutes: adminAuditRoutes(repository), activityRoutes: activityRoutes(repository) };
}

export type AuditModule = Awaited<ReturnType<typeof auditModule>>;

import { pageQuery } from '@authmeet/http-kit';
import { z } from 'zod';
import type { AuditEvent } from '../../generated/prisma/client.js';
import { auditEventTypes } from './audit-catalogue.js';

export const auditEventSchema = z
  .object({
    id: z.string().meta({ description: 'Position in the chain (a decimal integer)' }),
    at: z.iso.datetime(),
    type: z.enum(auditEventTypes),
    outcome: z.enum(['success', 'failure']),
    actorId: z.uuid().nullable(),
    actorType: z.enum(['user', 'admin', 'system']),
    targetId: z.uuid().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

export type AuditEventView = z.infer<typeof auditEventSchema>;

const iso = z.iso.datetime({ offset: true });

export const auditQuery = z.object({
  actorId: z.uuid().optional(),
  targetId: z.uuid().optional(),
  type: z.enum(auditEventTypes).optional(),
  from: iso.optional(),
  to: iso.optional(),
  ...pageQuery,
});

export const activityQuery = z.object({ ...pageQuery });

export const auditCursorShape = z.object({ id: z.string().regex(/^\d{1,19}$/) });

export function toAuditEventView(e: AuditEvent): AuditEventView {
  return {
    id: e.id.toString(),
    at: e.at.toISOString(),
    type: e.type as AuditEventView['type'],
    outcome: e.outcome as AuditEventView['outcome'],
    actorId: e.actorId,
    actorType: e.actorType as AuditEventView['actorType'],
    targetId: e.targetId,
    ip: e.ip,
    userAgent: e.userAgent,
    requestId: e.requestId,
    details: typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details) ? e.details : {},
  };
}

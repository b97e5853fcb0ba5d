import type { Prisma } from '../../src/generated/prisma/client.js';
import type { NewAuditEvent } from '../../src/modules/audit/audit.repository.js';

/** An event as the repository takes it, with nothing but its type, time and details. */
export const pastEvent = (type: string, at: Date, details: Prisma.InputJsonObject = {}): NewAuditEvent => ({
  at,
  type,
  outcome: 'success',
  actorId: null,
  actorType: 'user',
  targetId: null,
  ip: null,
  userAgent: null,
  requestId: null,
  details,
});

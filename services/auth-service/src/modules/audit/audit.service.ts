import { currentRequestId, currentRequestOrigin } from '@authmeet/telemetry';
import type { Prisma } from '../../generated/prisma/client.js';
import type { AuditActorType, AuditEventType, AuditOutcome } from './audit-catalogue.js';
import type { AuditRepository, NewAuditEvent } from './audit.repository.js';

export interface AuditInput {
  type: AuditEventType;
  outcome?: AuditOutcome;
  /** The user the event is about (their activity feed shows it). */
  targetId?: string | null;
  /** Who did it; defaults to the target acting on themselves. */
  actorId?: string | null;
  actorType?: AuditActorType;
  /** Facts of the event. Never a secret: no password, token, hash or code goes here. */
  details?: Prisma.InputJsonObject;
}

export interface AuditServiceDeps {
  repository: AuditRepository;
  clock: () => number;
  log: { error(obj: object, msg: string): void };
  failures: { inc(labels: { type: string }): void };
  actions: { inc(labels: { type: string }): void };
}

export function createAuditService(deps: AuditServiceDeps) {
  function toEvent(input: AuditInput): NewAuditEvent {
    const origin = currentRequestOrigin();
    const targetId = input.targetId ?? null;
    return {
      at: new Date(deps.clock()),
      type: input.type,
      outcome: input.outcome ?? 'success',
      actorId: input.actorId === undefined ? targetId : input.actorId,
      actorType: input.actorType ?? 'user',
      targetId,
      ip: origin?.ip.slice(0, 64) ?? null,
      userAgent: origin?.userAgent ?? null,
      requestId: currentRequestId() ?? null,
      details: input.details ?? {},
    };
  }

  function counted<T>(input: AuditInput, write: Promise<T>): Promise<T> {
    return write.then(
      (value) => {
        if (input.actorType === 'admin' || input.actorType === 'system') deps.actions.inc({ type: input.type });
        return value;
      },
      (error: unknown) => {
        deps.failures.inc({ type: input.type });
        deps.log.error({ err: error, auditType: input.type }, 'audit event could not be written');
        throw error;
      },
    );
  }

  return {
    /** In the transaction of the change it records: both commit or neither does. */
    record: (input: AuditInput, tx: Prisma.TransactionClient) => counted(input, deps.repository.append([toEvent(input)], tx)),
    /**
     * For changes that live in Redis (a session opened or ended): written right after the change
     * and awaited, so a request never succeeds without its event; a failure fails the request.
     */
    recordNow: (input: AuditInput) => counted(input, deps.repository.appendNow([toEvent(input)])),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
/** What other modules need: recording only. */
export type AuditRecorder = Pick<AuditService, 'record' | 'recordNow'>;

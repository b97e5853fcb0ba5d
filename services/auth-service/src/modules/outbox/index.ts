import type { ServiceContext } from '../../context.js';
import { createOutboxRepository } from './outbox.repository.js';

/** The user-sync outbox: every user change is queued here in its own transaction (the relay is a worker). */
export function outboxModule({ app }: ServiceContext) {
  return { repository: createOutboxRepository(app.prisma) };
}

export type OutboxModule = ReturnType<typeof outboxModule>;

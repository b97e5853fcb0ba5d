import { createWaker } from '@authmeet/http-kit';
import type { ServiceContext } from '../../context.js';
import { createMailRepository } from './mail.repository.js';

/**
 * The mail queue: modules insert rows in their own transactions and `kick` once committed; the
 * mail worker (src/workers) composes and sends them, woken by the same waker.
 */
export function mailModule({ app }: ServiceContext) {
  const waker = createWaker();
  return { repository: createMailRepository(app.prisma), waker, kick: () => waker.wake() };
}

export type MailModule = ReturnType<typeof mailModule>;

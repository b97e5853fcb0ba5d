import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { Tx } from '../../plugins/prisma.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { MfaRepository } from './mfa.repository.js';

/**
 * Removes every second factor of a user (TOTP, recovery codes, passkeys) and turns MFA off, as
 * one synced user change. For an administrator's reset (api.md `DELETE /v1/admin/users/{id}/mfa`);
 * sessions and audit are the caller's decision. Given `tx`, it runs inside the caller's
 * transaction (so the caller's audit event commits with it).
 */
export function createMfaReset(deps: { users: UsersRepository; outbox: OutboxRepository; repo: MfaRepository }) {
  async function reset(userId: string, tx: Tx): Promise<void> {
    await deps.repo.removeAll(userId, tx, { passkeys: true });
    const updated = await deps.users.update(userId, { mfaEnabled: false }, tx);
    await deps.outbox.enqueue(updated, 'upsert', tx);
  }
  return async function resetForUser(userId: string, tx?: Tx): Promise<void> {
    if (tx) return reset(userId, tx);
    await deps.users.transaction((t) => reset(userId, t));
  };
}

import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { MfaRepository } from './mfa.repository.js';

/**
 * Removes every second factor of a user (TOTP, recovery codes, passkeys) and turns MFA off, as
 * one synced user change. For an administrator's reset (api.md `DELETE /v1/admin/users/{id}/mfa`);
 * sessions and audit are the caller's decision.
 */
export function createMfaReset(deps: { users: UsersRepository; outbox: OutboxRepository; repo: MfaRepository }) {
  return async function resetForUser(userId: string): Promise<void> {
    await deps.users.transaction(async (tx) => {
      await deps.repo.removeAll(userId, tx, { passkeys: true });
      const updated = await deps.users.update(userId, { mfaEnabled: false }, tx);
      await deps.outbox.enqueue(updated, 'upsert', tx);
    });
  };
}

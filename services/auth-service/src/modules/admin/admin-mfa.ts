import type { AuditRecorder } from '../audit/audit.service.js';
import type { MfaModule } from '../mfa/index.js';
import type { PasskeysModule } from '../passkeys/index.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { AdminRepository } from './admin.repository.js';
import type { Actor } from './admin.service.js';
import { notFound } from './admin.service.js';

export interface AdminMfaDeps {
  admin: Pick<AdminRepository, 'findForUpdate'>;
  users: Pick<UsersRepository, 'transaction'>;
  audit: AuditRecorder;
  mfa: Pick<MfaModule, 'resetForUser' | 'hasTotp'>;
  passkeys: Pick<PasskeysModule, 'listForUser'>;
}

/** An admin's view and reset of a user's second factors (TOTP, recovery codes, passkeys). */
export function createAdminMfa(deps: AdminMfaDeps) {
  return {
    /** The `mfa` member of the user detail: a confirmed TOTP secret, and the passkeys. */
    async factors(userId: string) {
      const [totp, passkeys] = await Promise.all([deps.mfa.hasTotp(userId), deps.passkeys.listForUser(userId)]);
      return { totp, passkeys };
    },

    /** Every second factor removed, MFA off and synced; sessions stay (api.md). Audited in the same transaction. */
    async reset(actor: Actor, userId: string) {
      await deps.users.transaction(async (tx) => {
        const user = await deps.admin.findForUpdate(userId, tx);
        if (!user || user.deletedAt !== null) throw notFound();
        await deps.mfa.resetForUser(userId, tx);
        await deps.audit.record({ type: 'admin.mfa_reset', actorId: actor.id, actorType: actor.type, targetId: userId }, tx);
      });
    },
  };
}

import type { Prisma, User } from '../../generated/prisma/client.js';
import type { AuditRecorder } from '../audit/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { LoginThrottle } from '../passwords/login-throttle.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import { conflictFromUniqueViolation, requireActiveUser } from '../users/user-rules.js';
import type { UsersRepository } from '../users/users.repository.js';
import { toPublicUser } from '../users/users.schemas.js';
import { appError } from '../../errors.js';

export interface ProfileServiceDeps {
  users: UsersRepository;
  /** Every user change is written to the outbox in the same transaction (user sync). */
  outbox: OutboxRepository;
  hasher: PasswordHasher;
  /** Closing the account checks the password through the login throttle. */
  throttle: LoginThrottle;
  sessions: Pick<SessionsService, 'revokeAll'>;
  /** While MFA is on, closing the account also needs a current second-factor code. */
  requireCurrentCode: (user: User, code: string | undefined, ip: string) => Promise<void>;
  /** Closing the account is recorded in its transaction. */
  audit: AuditRecorder;
  /** Runs inside the account-closure transaction (e.g. queues the deletion of the user's pictures). */
  onAccountClosed?: (userId: string, tx: Prisma.TransactionClient) => Promise<void>;
}

/** The current user's own record: read, edit, close (`/me`). */
export function createProfileService(deps: ProfileServiceDeps) {
  const { users, outbox, hasher, throttle } = deps;

  return {
    async me(userId: string) {
      return toPublicUser(await requireActiveUser(users, userId));
    },

    async updateMe(userId: string, patch: { username?: string | undefined; firstName?: string | null | undefined; lastName?: string | null | undefined }) {
      await requireActiveUser(users, userId);
      try {
        const updated = await users.transaction(async (tx) => {
          const u = await users.update(userId, patch, tx);
          await outbox.enqueue(u, 'upsert', tx);
          return u;
        });
        return toPublicUser(updated);
      } catch (error) {
        throw conflictFromUniqueViolation(error) ?? error;
      }
    },

    async deleteMe(userId: string, password: string, code: string | undefined, ip: string) {
      const user = await requireActiveUser(users, userId);
      const passwordHash = user.passwordHash;
      // Same throttle as login: a stolen access token must not become a password oracle.
      const { ok } = await throttle.guard({ userId }, ip, async () => {
        if (passwordHash !== null) return hasher.verify(passwordHash, password);
        await hasher.verifyDummy(password); // accounts without a password set one through reset
        return { ok: false };
      });
      if (!ok) throw appError('INVALID_CREDENTIALS');
      await deps.requireCurrentCode(user, code, ip);
      await deps.sessions.revokeAll(userId);
      await users.transaction(async (tx) => {
        const gone = await users.anonymise(userId, tx);
        await outbox.enqueue(gone, 'delete', tx);
        await deps.audit.record({ type: 'user.deleted', targetId: userId }, tx);
        await deps.onAccountClosed?.(userId, tx);
      });
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;

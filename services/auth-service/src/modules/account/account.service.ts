import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { LoginThrottle } from '../passwords/login-throttle.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import { requireActiveUser } from '../users/user-rules.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { PublicUser } from '../users/users.schemas.js';
import { toPublicUser } from '../users/users.schemas.js';
import type { AccountMails } from './account-mails.js';
import type { AccountTokensRepository } from './account-tokens.repository.js';
import { hashAccountToken, isAccountTokenShape } from './account-tokens.repository.js';
import type { AuditRecorder } from '../audit/index.js';
import type { AddressThrottle } from './address-throttle.js';
import { appError } from '../../errors.js';

export interface AccountServiceDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  tokens: AccountTokensRepository;
  accountMails: AccountMails;
  hasher: PasswordHasher;
  passwordPolicy: Pick<PasswordPolicy, 'assertStrong'>;
  sessions: Pick<SessionsService, 'revokeAll'>;
  /** Email verification and password changes go to the audit trail in their transactions. */
  audit: AuditRecorder;
  /** Account mails per address (forgot, resend). */
  addressThrottle: AddressThrottle;
  /** The login throttle: `password/change` checks a password; a reset clears the counters. */
  throttle: LoginThrottle;
  /** While MFA is on, a password change also needs a current second-factor code. */
  requireCurrentCode: (user: User, code: string | undefined, ip: string) => Promise<void>;
  /** Wakes the mail worker once a queued mail has committed. */
  kickMail: () => void;
  clock: () => number;
  config: { forgotMinResponseMs: number };
}

/** One answer for every bad one-time token: unknown, used, expired and malformed look the same. */
const tokenInvalid = () => appError('TOKEN_INVALID_INPUT');

const passwordInputs = (u: User) => [u.email, u.username, u.firstName, u.lastName];

/** Email verification and the password flows (forgot, reset, change). */
export function createAccountService(deps: AccountServiceDeps) {
  const { users, outbox, tokens, accountMails, hasher } = deps;
  const now = () => new Date(deps.clock());

  async function limitMailsTo(address: string) {
    const wait = await deps.addressThrottle.hit(address);
    if (wait > 0) throw new AppError('RATE_LIMITED', { detail: 'Too many mails to this address; try again later', retryAfter: wait });
  }

  return {
    async verifyEmail(token: string): Promise<PublicUser> {
      if (!isAccountTokenShape(token)) throw tokenInvalid();
      const at = now();
      const user = await users.transaction(async (tx) => {
        const spent = await tokens.consume(hashAccountToken(token), 'email_verification', at, tx);
        if (!spent) throw tokenInvalid();
        const found = await users.findById(spent.userId, tx);
        // The token proves control of the address it was mailed to, and of no other.
        if (!found || !found.isActive || found.email.toLowerCase() !== spent.email.toLowerCase()) throw tokenInvalid();
        await tokens.invalidateAll(found.id, 'email_verification', at, tx);
        if (found.emailVerified) return found;
        const updated = await users.update(found.id, { emailVerified: true }, tx);
        await outbox.enqueue(updated, 'upsert', tx); // the meetings-service learns emailVerified
        await deps.audit.record({ type: 'user.email_verified', targetId: found.id }, tx);
        return updated;
      });
      return toPublicUser(user);
    },

    async resendVerification(userId: string): Promise<void> {
      const user = await requireActiveUser(users, userId);
      if (user.emailVerified) return;
      await limitMailsTo(user.email);
      await accountMails.enqueueVerification(user);
      deps.kickMail();
    },

    /**
     * 202 whatever the address: the answer and its timing must not tell whether an account
     * exists. The per-address limit runs first and for every address; the lookup and the queue
     * insert (the only extra work for a known address) are padded to a fixed minimum duration.
     */
    async forgotPassword(email: string): Promise<void> {
      await limitMailsTo(email);
      const started = performance.now();
      const user = await users.findByIdentifier(email);
      if (user && user.isActive) {
        await accountMails.enqueueReset(user);
        deps.kickMail();
      }
      const left = deps.config.forgotMinResponseMs - (performance.now() - started);
      if (left > 0) await sleep(left);
    },

    async resetPassword(token: string, newPassword: string): Promise<void> {
      if (!isAccountTokenShape(token)) throw tokenInvalid();
      const hash = hashAccountToken(token);
      const at = now();
      // Look before spending: a too-weak new password is a fixable 400 and keeps the link usable.
      const pending = await tokens.findLive(hash, 'password_reset', at);
      const user = pending ? await users.findById(pending.userId) : null;
      if (!pending || !user || !user.isActive) throw tokenInvalid();
      await deps.passwordPolicy.assertStrong(newPassword, passwordInputs(user), 'newPassword');
      const passwordHash = await hasher.hash(newPassword);
      await users.transaction(async (tx) => {
        const spent = await tokens.consume(hash, 'password_reset', at, tx);
        if (!spent) throw tokenInvalid();
        await tokens.invalidateAll(user.id, 'password_reset', at, tx);
        // Following the mailed link proves control of the address just as verification does.
        const proves = !user.emailVerified && spent.email.toLowerCase() === user.email.toLowerCase();
        if (proves) {
          const updated = await users.update(user.id, { passwordHash, emailVerified: true }, tx);
          await outbox.enqueue(updated, 'upsert', tx);
        } else {
          // Not a synced change: the hash never leaves this service.
          await users.setPasswordHash(user.id, passwordHash, tx);
        }
        await deps.audit.record({ type: 'user.password_reset', targetId: user.id, details: { emailVerified: proves } }, tx);
      });
      // Whoever knew the old password (or stole a session) is out, on every service, and the
      // owner, who proved control of the address, is no longer slowed by anyone's guesses.
      await deps.sessions.revokeAll(user.id);
      await deps.throttle.clear({ userId: user.id });
    },

    async changePassword(userId: string, sessionId: string, ip: string, currentPassword: string, newPassword: string, code?: string): Promise<void> {
      const user = await requireActiveUser(users, userId);
      const stored = user.passwordHash;
      // The login throttle, counted before hashing: a stolen access token must not become a password oracle.
      const { ok } = await deps.throttle.guard({ userId }, ip, async () => {
        if (stored !== null) return hasher.verify(stored, currentPassword);
        await hasher.verifyDummy(currentPassword); // accounts without a password set one through reset
        return { ok: false };
      });
      if (!ok) throw appError('INVALID_CREDENTIALS', { detail: 'The current password is not correct' });
      await deps.requireCurrentCode(user, code, ip);
      await deps.passwordPolicy.assertStrong(newPassword, passwordInputs(user), 'newPassword');
      const passwordHash = await hasher.hash(newPassword);
      await users.transaction(async (tx) => {
        await users.setPasswordHash(userId, passwordHash, tx);
        // A reset link mailed before the change must not undo it.
        await tokens.invalidateAll(userId, 'password_reset', now(), tx);
        await deps.audit.record({ type: 'user.password_changed', targetId: userId, details: { sessionId } }, tx);
      });
      await deps.sessions.revokeAll(userId, sessionId);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

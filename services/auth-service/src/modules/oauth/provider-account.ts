import { randomBytes } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { AccountMails } from '../account/account-mails.js';
import type { AuditRecorder } from '../audit/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import { conflictFromUniqueViolation } from '../users/user-rules.js';
import type { UsersRepository } from '../users/users.repository.js';
import { nameSchema } from '../users/users.schemas.js';
import type { ProviderClaims } from './google-client.js';
import type { IdentitiesRepository } from './oauth.repository.js';
import { appError } from '../../errors.js';

export interface ProviderAccountDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  identities: IdentitiesRepository;
  accountMails: AccountMails;
  sessions: Pick<SessionsService, 'revokeAll'>;
  audit: AuditRecorder;
  kickMail: () => void;
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === 'P2002';

/** A username from the email's local part (or "user"), fitted to the username rules. */
function usernameCandidate(email: string, attempt: number): string {
  const local = email.split('@')[0] ?? '';
  let base = local.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, 24);
  if (base.length < 3) base = `user${base}`;
  return attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`;
}

/**
 * A provider's name, fitted to our rules. One our schemas would refuse (control or bidi
 * formatting characters) is dropped rather than stored or turned into a failed sign-in: the
 * user can still set it, and it never shows up to others reordered or hiding text.
 */
function nameField(v: string | undefined): string | null {
  const name = v?.trim().slice(0, 100);
  return name && nameSchema.safeParse(name).success ? name : null;
}

/**
 * Who a provider sign-in is, in this order:
 * 1. the user already linked to (provider, subject): the subject is stable, the email is not;
 * 2. an existing user with the same email, linked now, but only if the provider asserts
 *    `email_verified`. If the local account had not verified the address itself, its password
 *    was set by someone who never proved owning it (a pre-registered trap for the real owner),
 *    so linking removes that password and signs out its sessions; the owner can set a new one
 *    through reset;
 * 3. with an unverified provider email that an account already has: refused (`EMAIL_TAKEN`),
 *    never merged, because anyone can claim an unverified address at some providers;
 * 4. otherwise a new user without a password, verified if the provider says so (else a
 *    verification mail is sent, as on register).
 */
export async function findOrCreateUser(deps: ProviderAccountDeps, provider: string, claims: ProviderClaims): Promise<User> {
  const { users, outbox, identities } = deps;

  for (let attempt = 0; attempt < 5; attempt += 1) {
    const linked = await identities.find(provider, claims.sub);
    if (linked) {
      await identities.touch(linked.id, claims.email ?? null);
      return linked.user;
    }
    if (!claims.email) throw new AppError('VALIDATION_FAILED', { detail: 'The provider did not share an email address' });
    const email = claims.email;

    const existing = await users.findByIdentifier(email);
    if (existing) {
      if (!claims.emailVerified) throw appError('EMAIL_TAKEN', { detail: 'Sign in with your password; the provider has not verified this address' });
      if (!existing.isActive) throw appError('ACCOUNT_DISABLED');
      const takeover = !existing.emailVerified;
      try {
        const user = await users.transaction(async (tx) => {
          await identities.create({ userId: existing.id, provider, subject: claims.sub, email }, tx);
          await deps.audit.record({ type: 'user.oauth_linked', targetId: existing.id, details: { provider, takeover } }, tx);
          if (!takeover) return existing;
          const updated = await users.update(existing.id, { emailVerified: true, passwordHash: null }, tx);
          await outbox.enqueue(updated, 'upsert', tx);
          return updated;
        });
        if (takeover) await deps.sessions.revokeAll(user.id);
        return user;
      } catch (error) {
        if (isUniqueViolation(error)) continue; // a concurrent callback linked it first: look again
        throw error;
      }
    }

    try {
      const user = await users.transaction(async (tx) => {
        const created = await users.create(
          {
            email,
            username: usernameCandidate(email, attempt),
            passwordHash: null,
            firstName: nameField(claims.givenName),
            lastName: nameField(claims.familyName),
            emailVerified: claims.emailVerified,
          },
          tx,
        );
        await identities.create({ userId: created.id, provider, subject: claims.sub, email }, tx);
        await outbox.enqueue(created, 'upsert', tx);
        await deps.audit.record({ type: 'user.registered', targetId: created.id, details: { method: provider } }, tx);
        if (!created.emailVerified) await deps.accountMails.enqueueVerification(created, tx);
        return created;
      });
      if (!user.emailVerified) deps.kickMail();
      return user;
    } catch (error) {
      // Taken username: next attempt adds a suffix. Taken email or subject: a concurrent
      // registration or callback won; the next pass finds it.
      if (conflictFromUniqueViolation(error) || isUniqueViolation(error)) continue;
      throw error;
    }
  }
  throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Could not settle the account; try again', retryAfter: 1 });
}

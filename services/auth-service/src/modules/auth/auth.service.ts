import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { AuditRecorder } from '../audit/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { LoginThrottle } from '../passwords/login-throttle.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { DeviceInfo, SessionsService, TokenPair } from '../sessions/sessions.service.js';
import type { FirstFactor, MfaChallenge } from './authentication.js';
import { conflictFromUniqueViolation } from '../users/user-rules.js';
import type { Db, UsersRepository } from '../users/users.repository.js';
import { toPublicUser } from '../users/users.schemas.js';
import { appError } from '../../errors.js';

export interface AuthServiceDeps {
  users: UsersRepository;
  /** Every user change is written to the outbox in the same transaction (user sync). */
  outbox: OutboxRepository;
  sessions: Pick<SessionsService, 'start' | 'refresh' | 'revokeOne' | 'revokeAll' | 'sessionOfRefreshToken'>;
  hasher: PasswordHasher;
  passwordPolicy: Pick<PasswordPolicy, 'assertStrong'>;
  /** Registration, sign-ins (and refused ones) and logouts go to the audit trail. */
  audit: AuditRecorder;
  /** Every check of a password (login, delete account) goes through it. */
  throttle: LoginThrottle;
  /** A right password: a session, or for a user with MFA on the second step (mfa module). */
  signIn: (user: User, device: DeviceInfo, firstFactor: FirstFactor) => Promise<TokenPair | MfaChallenge>;
  /** Queues the verification mail inside the registration transaction; `kick` sends it now. */
  verificationMail: { enqueue(user: User, tx: Db): Promise<void>; kick(): void };
  config: { requireEmailVerification: boolean };
}

/** Credentials: registration, password login, refresh, logout and token introspection. */
export function createAuthService(deps: AuthServiceDeps) {
  const { users, outbox, sessions, hasher, throttle, config, audit } = deps;

  /** A refused sign-in is recorded, but failing to record it does not change the answer. */
  async function recordingRefusals<T>(identifier: string, targetId: string | null, attempt: () => Promise<T>) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const details = { method: 'password', reason: error.code, identifier: identifier.slice(0, 254) };
        await audit.recordNow({ type: 'user.login.failed', outcome: 'failure', targetId, details }).catch(() => undefined);
      }
      throw error;
    }
  }

  async function passwordLogin(identifier: string, user: User | null, password: string, device: DeviceInfo): Promise<TokenPair | MfaChallenge> {
    // Counted per account (however it is named: email or username), and before any hashing.
    const subject = user ? { userId: user.id } : { identifier };
    const { ok, needsRehash } = await throttle.guard(subject, device.ip, async () => {
      if (user && user.passwordHash !== null) return hasher.verify(user.passwordHash, password);
      await hasher.verifyDummy(password);
      return { ok: false, needsRehash: false };
    }, { firstFactorOnly: user?.mfaEnabled === true });
    if (!user || !ok) throw appError('INVALID_CREDENTIALS');
    // Account state is revealed only to someone who knows the password.
    if (!user.isActive) throw appError('ACCOUNT_DISABLED');
    if (config.requireEmailVerification && !user.emailVerified) throw appError('EMAIL_NOT_VERIFIED');
    let current = user;
    // Not a synced change: the hash never leaves this service, so no version bump or outbox row.
    // Best effort: a hasher too busy to re-hash must not fail a right password (next login will).
    if (needsRehash) current = await hasher.hash(password).then((h) => users.setPasswordHash(user.id, h), () => user);
    return deps.signIn(current, device, 'pwd');
  }

  return {
    async register(input: { email: string; username: string; password: string; firstName?: string | undefined; lastName?: string | undefined }) {
      // After the route's rate limit and schema, and off the event loop (a worker thread).
      await deps.passwordPolicy.assertStrong(input.password, [input.email, input.username, input.firstName, input.lastName], 'password');
      const passwordHash = await hasher.hash(input.password);
      try {
        const user = await users.transaction(async (tx) => {
          const created = await users.create(
            { email: input.email, username: input.username, passwordHash, firstName: input.firstName ?? null, lastName: input.lastName ?? null },
            tx,
          );
          await outbox.enqueue(created, 'upsert', tx);
          await audit.record({ type: 'user.registered', targetId: created.id, details: { method: 'password' } }, tx);
          await deps.verificationMail.enqueue(created, tx);
          return created;
        });
        deps.verificationMail.kick();
        return toPublicUser(user);
      } catch (error) {
        throw conflictFromUniqueViolation(error) ?? error;
      }
    },

    async login(identifier: string, password: string, device: DeviceInfo): Promise<TokenPair | MfaChallenge> {
      const user = await users.findByIdentifier(identifier);
      return recordingRefusals(identifier, user?.id ?? null, () => passwordLogin(identifier, user, password, device));
    },

    /** The refresh token is the credential; the rotation itself is the session's. */
    refresh: (refreshToken: string): Promise<TokenPair> => sessions.refresh(refreshToken),
    async logout(userId: string, sessionId: string) {
      await sessions.revokeOne(userId, sessionId);
      await audit.recordNow({ type: 'user.logout', targetId: userId, details: { sessionId } });
    },
    /** The session of a refresh token this service issued, if it is still live (logout by cookie). */
    sessionOfRefreshToken: (refreshToken: string) => sessions.sessionOfRefreshToken(refreshToken),
    async logoutAll(userId: string) {
      await sessions.revokeAll(userId);
      await audit.recordNow({ type: 'user.logout_all', targetId: userId });
    },

    async verifiedUser(userId: string) {
      const user = await users.findById(userId);
      if (!user || !user.isActive) throw new AppError('TOKEN_REVOKED');
      return toPublicUser(user);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

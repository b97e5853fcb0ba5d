import { randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';
import type { Db, UsersRepository } from '../users/users.repository.js';
import type { PublicUser } from '../users/users.schemas.js';
import { toPublicUser } from '../users/users.schemas.js';
import type { User } from '../../generated/prisma/client.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { LoginThrottle } from './login-throttle.js';
import { mintRefreshToken, newSessionSalt, parseRefreshToken, successorRefreshToken } from './refresh-token.js';

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  email: string;
  username: string;
}

export interface AuthServiceDeps {
  users: UsersRepository;
  /** Every user change is written to the outbox in the same transaction (user sync). */
  outbox: OutboxRepository;
  sessions: SessionsRepository;
  hasher: PasswordHasher;
  passwordPolicy: Pick<PasswordPolicy, 'assertStrong'>;
  /** Every check of a password (login, delete account) goes through it. */
  throttle: LoginThrottle;
  /** Signs an access token that expires at `exp` (epoch seconds). */
  signAccessToken: (claims: AccessClaims, exp: number) => string;
  /**
   * How long Redis may take to run a rotation once sent. Past it the script refuses to act, so
   * a rotation the client stopped waiting for can never take effect later. Must stay below the
   * Redis client's command timeout.
   */
  rotationBudgetMs: number;
  /** Queues the verification mail inside the registration transaction; `kick` sends it now. */
  verificationMail: { enqueue(user: User, tx: Db): Promise<void>; kick(): void };
  clock: () => number;
  config: {
    accessTokenTtlSec: number;
    refreshTtlSec: number;
    absoluteTtlSec: number;
    /** Concurrent refreshes with one token this long after its rotation get the same successor. */
    refreshReuseGraceSec: number;
    requireEmailVerification: boolean;
  };
}

export interface DeviceInfo {
  ip: string;
  userAgent: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshExpiresIn: number;
  user: PublicUser;
  sessionId: string;
}

function uniqueViolationField(error: unknown): 'email' | 'username' | undefined {
  if ((error as { code?: unknown }).code !== 'P2002') return undefined;
  const text = JSON.stringify((error as { meta?: unknown }).meta ?? {}) + String((error as Error).message);
  if (text.includes('email')) return 'email';
  if (text.includes('username')) return 'username';
  return undefined;
}

export function conflictFromUniqueViolation(error: unknown): AppError | undefined {
  const field = uniqueViolationField(error);
  if (field === 'email') return new AppError('EMAIL_TAKEN');
  if (field === 'username') return new AppError('USERNAME_TAKEN');
  return undefined;
}

export function createAuthService(deps: AuthServiceDeps) {
  const { users, outbox, sessions, hasher, throttle, config } = deps;

  function issueAccessToken(user: User, sessionId: string, absoluteExpiresAt: number) {
    const nowSec = Math.floor(deps.clock() / 1000);
    // Never outlive the session's absolute cap.
    const exp = Math.min(nowSec + config.accessTokenTtlSec, Math.floor(absoluteExpiresAt / 1000));
    const accessToken = deps.signAccessToken(
      { sub: user.id, sid: sessionId, jti: randomUUID(), email: user.email, username: user.username },
      exp,
    );
    return { accessToken, expiresIn: Math.max(exp - nowSec, 0) };
  }

  async function startSession(user: User, device: DeviceInfo): Promise<TokenPair> {
    const now = deps.clock();
    const sessionId = randomUUID();
    const absoluteExpiresAt = now + config.absoluteTtlSec * 1000;
    const expiresAt = Math.min(now + config.refreshTtlSec * 1000, absoluteExpiresAt);
    const refresh = mintRefreshToken(user.id, sessionId);
    await sessions.create({
      id: sessionId,
      userId: user.id,
      refreshHash: refresh.hash,
      salt: newSessionSalt(),
      now,
      expiresAt,
      absoluteExpiresAt,
      ip: device.ip,
      userAgent: device.userAgent.slice(0, 256),
    });
    const access = issueAccessToken(user, sessionId, absoluteExpiresAt);
    return {
      ...access,
      refreshToken: refresh.token,
      tokenType: 'Bearer',
      refreshExpiresIn: Math.round((expiresAt - now) / 1000),
      user: toPublicUser(user),
      sessionId,
    };
  }

  async function revokeSessions(userId: string, sessionIds: string[]) {
    await sessions.revoke(userId, sessionIds);
  }

  async function revokeAll(userId: string, exceptSessionId?: string) {
    const ids = await sessions.listIds(userId, 0);
    await revokeSessions(userId, ids.filter((id) => id !== exceptSessionId));
  }

  async function requireUser(userId: string): Promise<User> {
    const user = await users.findById(userId);
    if (!user || !user.isActive) throw new AppError('UNAUTHENTICATED', { detail: 'The account no longer exists' });
    return user;
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
          await deps.verificationMail.enqueue(created, tx);
          return created;
        });
        deps.verificationMail.kick();
        return toPublicUser(user);
      } catch (error) {
        throw conflictFromUniqueViolation(error) ?? error;
      }
    },

    async login(identifier: string, password: string, device: DeviceInfo): Promise<TokenPair> {
      const user = await users.findByIdentifier(identifier);
      // Counted per account (however it is named: email or username), and before any hashing.
      const subject = user ? { userId: user.id } : { identifier };
      const { ok, needsRehash } = await throttle.guard(subject, device.ip, async () => {
        if (user && user.passwordHash !== null) return hasher.verify(user.passwordHash, password);
        await hasher.verifyDummy(password);
        return { ok: false, needsRehash: false };
      });
      if (!user || !ok) throw new AppError('INVALID_CREDENTIALS');
      // Account state is revealed only to someone who knows the password.
      if (!user.isActive) throw new AppError('ACCOUNT_DISABLED');
      if (config.requireEmailVerification && !user.emailVerified) throw new AppError('EMAIL_NOT_VERIFIED');
      let current = user;
      // Not a synced change: the hash never leaves this service, so no version bump or outbox row.
      // Best effort: a hasher too busy to re-hash must not fail a right password (next login will).
      if (needsRehash) current = await hasher.hash(password).then((h) => users.setPasswordHash(user.id, h), () => user);
      return startSession(current, device);
    },

    async refresh(refreshToken: string): Promise<TokenPair> {
      const parsed = parseRefreshToken(refreshToken);
      if (!parsed) throw new AppError('REFRESH_TOKEN_INVALID');
      const { userId, sessionId } = parsed;
      // Everything that can fail goes before the rotation, which changes state last: a 503 for
      // a Postgres or Redis blip leaves the token valid, so the client's retry is no theft.
      const [user, context] = await Promise.all([users.findById(userId), sessions.rotationContext(userId, sessionId)]);
      if (!context.exists) throw new AppError('REFRESH_TOKEN_INVALID');
      if (!user || !user.isActive) {
        await revokeSessions(userId, [sessionId]);
        throw new AppError('REFRESH_TOKEN_INVALID');
      }
      const now = deps.clock();
      // Sessions from before salts existed get one now; the script keeps whichever came first.
      let salt = context.salt ?? newSessionSalt();
      let next = successorRefreshToken(refreshToken, userId, sessionId, salt);
      const rotate = () =>
        sessions.rotate({
          userId,
          sessionId,
          presentedHash: parsed.hash,
          successorHash: next.hash,
          salt,
          now,
          refreshTtlMs: config.refreshTtlSec * 1000,
          graceMs: config.refreshReuseGraceSec * 1000,
          // On Redis's clock: its time when it answered above, plus our time since (the user
          // read may have taken longer), plus the budget from the moment this is sent.
          deadline: context.redisNow + (Date.now() - context.receivedAt) + deps.rotationBudgetMs,
        });
      let result = await rotate();
      if (result.status === 'salt') {
        salt = result.salt;
        next = successorRefreshToken(refreshToken, userId, sessionId, salt);
        result = await rotate();
      }
      if (result.status === 'late') {
        throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Redis is unavailable', retryAfter: 2 });
      }
      if (result.status === 'reused') {
        // A rotated token came back: either the client or a thief holds a copy. Kill the session
        // (the script deleted it; this tells every other service).
        await revokeSessions(userId, [sessionId]);
        throw new AppError('REFRESH_TOKEN_REUSED');
      }
      if (result.status !== 'ok') throw new AppError('REFRESH_TOKEN_INVALID');
      const access = issueAccessToken(user, sessionId, result.session.absoluteExpiresAt);
      return {
        ...access,
        refreshToken: next.token,
        tokenType: 'Bearer',
        refreshExpiresIn: Math.round((result.session.expiresAt - now) / 1000),
        user: toPublicUser(user),
        sessionId,
      };
    },

    /** A new session for a user another flow has authenticated (OAuth sign-in). */
    openSession: (user: User, device: DeviceInfo) => startSession(user, device),
    /** Every session of the user, or every other one; revocations are published to all services. */
    revokeAllSessions: (userId: string, exceptSessionId?: string) => revokeAll(userId, exceptSessionId),

    logout: (userId: string, sessionId: string) => revokeSessions(userId, [sessionId]),
    logoutAll: (userId: string) => revokeAll(userId),

    async me(userId: string) {
      return toPublicUser(await requireUser(userId));
    },

    async updateMe(userId: string, patch: { username?: string | undefined; firstName?: string | null | undefined; lastName?: string | null | undefined }) {
      await requireUser(userId);
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

    async deleteMe(userId: string, password: string, ip: string) {
      const user = await requireUser(userId);
      const passwordHash = user.passwordHash;
      // Same throttle as login: a stolen access token must not become a password oracle.
      const { ok } = await throttle.guard({ userId }, ip, async () => {
        if (passwordHash !== null) return hasher.verify(passwordHash, password);
        await hasher.verifyDummy(password); // accounts without a password set one through reset
        return { ok: false };
      });
      if (!ok) throw new AppError('INVALID_CREDENTIALS');
      await revokeAll(userId);
      await users.transaction(async (tx) => {
        const gone = await users.anonymise(userId, tx);
        await outbox.enqueue(gone, 'delete', tx);
      });
    },

    async listSessions(userId: string, currentSessionId: string) {
      const list = await sessions.list(userId, deps.clock());
      return list.map((s) => ({
        id: s.id,
        current: s.id === currentSessionId,
        createdAt: new Date(s.createdAt).toISOString(),
        lastUsedAt: new Date(s.lastUsedAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
      }));
    },

    async revokeSession(userId: string, sessionId: string) {
      // Scoped to the caller's own keys: another user's session id simply is not found.
      if (!(await sessions.exists(userId, sessionId))) throw new AppError('NOT_FOUND', { detail: 'No such session' });
      await revokeSessions(userId, [sessionId]);
    },

    async verifiedUser(userId: string) {
      const user = await users.findById(userId);
      if (!user || !user.isActive) throw new AppError('TOKEN_REVOKED');
      return toPublicUser(user);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

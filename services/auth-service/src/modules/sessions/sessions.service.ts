import { randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { AuditRecorder } from '../audit/index.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { PublicUser } from '../users/users.schemas.js';
import { toPublicUser } from '../users/users.schemas.js';
import { mintRefreshToken, newSessionSalt, parseRefreshToken, successorRefreshToken } from './refresh-token.js';
import type { SessionsRepository } from './sessions.repository.js';
import type { Assurance, Authentication } from '../auth/authentication.js';
import { appError } from '../../errors.js';

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  email: string;
  username: string;
  /** RFC 8176 methods of the login that opened the session. */
  amr: string[];
  acr: Assurance;
  /** Epoch seconds of that login; refreshes keep it. */
  auth_time: number;
  roles: string[];
  /** Epoch seconds; never before the user's not-before marker, so a fresh token is never refused. */
  iat: number;
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

export interface SessionsServiceDeps {
  repository: SessionsRepository;
  /** A refresh re-reads the user: a closed or disabled account gets no new tokens. */
  users: Pick<UsersRepository, 'findById'>;
  /** Signs an access token that expires at `exp` (epoch seconds). */
  signAccessToken: (claims: AccessClaims, exp: number) => string;
  /** Sign-ins, refresh-token reuse and session revocations go to the audit trail. */
  audit: AuditRecorder;
  /**
   * How long Redis may take to run a rotation once sent. Past it the script refuses to act, so
   * a rotation the client stopped waiting for can never take effect later. Must stay below the
   * Redis client's command timeout.
   */
  rotationBudgetMs: number;
  clock: () => number;
  config: {
    accessTokenTtlSec: number;
    refreshTtlSec: number;
    absoluteTtlSec: number;
    /** Concurrent refreshes with one token this long after its rotation get the same successor. */
    refreshReuseGraceSec: number;
  };
}

/**
 * The session lifecycle: start (a token pair for an authenticated user), rotate (refresh),
 * list, revoke (published to every service by the repository) and access-token signing.
 */
export function createSessionsService(deps: SessionsServiceDeps) {
  const { repository: sessions, config } = deps;

  /**
   * The user whose claims a new access token carries, and the not-before marker it must not
   * predate. `user` was read before a password was hashed or a rotation ran; a marker means a
   * change of roles or of the account's state in the last minutes, which may have landed since
   * (an admin acting while the login hashed). Changes commit before their marker is set, so a
   * read made after seeing the marker is at least as new as the change. No marker, no read.
   */
  async function claimsSubject(user: User, knownNotBefore?: number): Promise<{ user: User; notBefore: number }> {
    const notBefore = knownNotBefore ?? (await sessions.notBefore(user.id));
    if (notBefore === 0) return { user, notBefore };
    const current = await deps.users.findById(user.id);
    if (!current || current.deletedAt !== null) throw appError('REFRESH_TOKEN_INVALID');
    if (!current.isActive) throw appError('ACCOUNT_DISABLED');
    return { user: current, notBefore };
  }

  function issueAccessToken(user: User, notBefore: number, sessionId: string, absoluteExpiresAt: number, authn: Authentication) {
    const nowSec = Math.floor(deps.clock() / 1000);
    // Never outlive the session's absolute cap.
    const exp = Math.min(nowSec + config.accessTokenTtlSec, Math.floor(absoluteExpiresAt / 1000));
    const accessToken = deps.signAccessToken(
      {
        sub: user.id,
        sid: sessionId,
        jti: randomUUID(),
        email: user.email,
        username: user.username,
        amr: authn.amr,
        acr: authn.acr,
        auth_time: Math.floor(authn.authTime / 1000),
        roles: [...user.roles],
        // At most a second ahead (the marker is the second after a change): within every
        // verifier's allowance for clock skew.
        iat: Math.max(nowSec, notBefore),
      },
      exp,
    );
    return { accessToken, expiresIn: Math.max(exp - nowSec, 0) };
  }

  /**
   * The pair for a session just opened or rotated; if the user may no longer have it, the session
   * ends. `notBefore`: the user's marker when already read after the session was written.
   */
  async function tokenPair(
    user: User,
    sessionId: string,
    refreshToken: string,
    expiresAt: number,
    absoluteExpiresAt: number,
    now: number,
    authn: Authentication,
    notBefore?: number,
  ): Promise<TokenPair> {
    let subject: { user: User; notBefore: number };
    try {
      subject = await claimsSubject(user, notBefore);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) await revoke(user.id, [sessionId]);
      throw error;
    }
    return {
      ...issueAccessToken(subject.user, subject.notBefore, sessionId, absoluteExpiresAt, authn),
      refreshToken,
      tokenType: 'Bearer',
      refreshExpiresIn: Math.round((expiresAt - now) / 1000),
      user: toPublicUser(subject.user),
      sessionId,
    };
  }

  /**
   * A new session, and its sign-in event before anyone sees its tokens. `authn`: how the user
   * proved who they are; every token of the session will say so.
   */
  async function start(user: User, device: DeviceInfo, authn: Authentication): Promise<TokenPair> {
    const pair = await open(user, device, authn);
    const method = authn.amr.includes('hwk') ? 'passkey' : authn.amr.includes('fed') ? 'google' : 'password';
    try {
      await deps.audit.recordNow({
        type: 'user.login.succeeded',
        targetId: user.id,
        details: { method, amr: authn.amr, acr: authn.acr, sessionId: pair.sessionId },
      });
    } catch (error) {
      // No sign-in without its event: the session that cannot be accounted for is ended.
      await revoke(user.id, [pair.sessionId]).catch(() => undefined);
      throw error;
    }
    return pair;
  }

  async function open(user: User, device: DeviceInfo, authn: Authentication): Promise<TokenPair> {
    const now = deps.clock();
    const sessionId = randomUUID();
    const absoluteExpiresAt = now + config.absoluteTtlSec * 1000;
    const expiresAt = Math.min(now + config.refreshTtlSec * 1000, absoluteExpiresAt);
    const refresh = mintRefreshToken(user.id, sessionId);
    const { notBefore } = await sessions.create({
      id: sessionId,
      userId: user.id,
      refreshHash: refresh.hash,
      salt: newSessionSalt(),
      now,
      expiresAt,
      absoluteExpiresAt,
      ip: device.ip,
      userAgent: device.userAgent.slice(0, 256),
      authn,
    });
    // The session records its login: auth_time is its creation, in this token as after refreshes.
    return tokenPair(user, sessionId, refresh.token, expiresAt, absoluteExpiresAt, now, { ...authn, authTime: now }, notBefore);
  }

  async function revoke(userId: string, sessionIds: string[]) {
    await sessions.revoke(userId, sessionIds);
  }

  async function revokeAll(userId: string, exceptSessionId?: string) {
    const ids = await sessions.listIds(userId, 0);
    await revoke(userId, ids.filter((id) => id !== exceptSessionId));
  }

  async function refresh(refreshToken: string): Promise<TokenPair> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw appError('REFRESH_TOKEN_INVALID');
    const { userId, sessionId } = parsed;
    // Everything that can fail goes before the rotation, which changes state last: a 503 for
    // a Postgres or Redis blip leaves the token valid, so the client's retry is no theft.
    const [user, context] = await Promise.all([deps.users.findById(userId), sessions.rotationContext(userId, sessionId)]);
    // A disabled (not closed) account is told so, as at login; its sessions were revoked.
    if (user && !user.isActive && user.deletedAt === null) throw appError('ACCOUNT_DISABLED');
    if (!context.exists) throw appError('REFRESH_TOKEN_INVALID');
    if (!user || !user.isActive) {
      await revoke(userId, [sessionId]);
      throw appError('REFRESH_TOKEN_INVALID');
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
      await revoke(userId, [sessionId]);
      await deps.audit.recordNow({ type: 'session.refresh_reused', outcome: 'failure', targetId: userId, details: { sessionId } });
      throw appError('REFRESH_TOKEN_REUSED');
    }
    if (result.status !== 'ok') throw appError('REFRESH_TOKEN_INVALID');
    return tokenPair(user, sessionId, next.token, result.session.expiresAt, result.session.absoluteExpiresAt, now, result.session.authn);
  }

  return {
    /** A new session (and token pair) for a user a credential flow has authenticated. */
    start,
    /** Rotates a refresh token into a new pair for the same session. */
    refresh,
    /** Ends one session of the user (logout). */
    revokeOne: (userId: string, sessionId: string) => revoke(userId, [sessionId]),
    /**
     * The session a refresh token names, if the token is one this session was issued (current
     * or recently rotated): a logout by cookie. Undefined for anything else, which ends nothing.
     */
    async sessionOfRefreshToken(refreshToken: string): Promise<{ userId: string; sessionId: string } | undefined> {
      const parsed = parseRefreshToken(refreshToken);
      if (!parsed) return undefined;
      const issued = await sessions.issuedRefreshToken(parsed.userId, parsed.sessionId, parsed.hash);
      return issued ? { userId: parsed.userId, sessionId: parsed.sessionId } : undefined;
    },
    /** Every session of the user, or every other one; revocations are published to all services. */
    revokeAll,

    async list(userId: string, currentSessionId: string) {
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

    /** Revokes one of the caller's own sessions: another user's session id simply is not found. */
    async revokeOwn(userId: string, sessionId: string) {
      if (!(await sessions.exists(userId, sessionId))) throw new AppError('NOT_FOUND', { detail: 'No such session' });
      await revoke(userId, [sessionId]);
      await deps.audit.recordNow({ type: 'session.revoked', targetId: userId, details: { sessionId } });
    },

    /**
     * The revocation check of this service's verifier: a token is refused when its session is
     * gone or it predates its user's not-before marker (a role change, a disable).
     */
    isTokenRevoked: (claims: { sub: string; sid: string; iat?: number }) => sessions.isTokenRevoked(claims),
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;

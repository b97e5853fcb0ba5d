import { AppError, decodeCursor, encodeCursor } from '@authmeet/http-kit';
import { z } from 'zod';
import type { Prisma, User, UserRole } from '../../generated/prisma/client.js';
import type { AuditActorType } from '../audit/audit-catalogue.js';
import type { AuditRecorder } from '../audit/audit.service.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import { toPublicUser } from '../users/users.schemas.js';
import type { AdminRepository } from './admin.repository.js';
import { appError } from '../../errors.js';

export interface AdminServiceDeps {
  admin: AdminRepository;
  users: UsersRepository;
  outbox: OutboxRepository;
  sessions: Pick<SessionsRepository, 'notBefore' | 'setNotBefore' | 'list' | 'listIds' | 'revoke'>;
  audit: AuditRecorder;
  clock: () => number;
}

/** Who asks: an admin through the API, or the operator command (`system`). */
export interface Actor {
  id: string | null;
  type: Extract<AuditActorType, 'admin' | 'system'>;
}

type Tx = Prisma.TransactionClient;
const cursorShape = z.object({ id: z.uuid() });
export const notFound = () => new AppError('NOT_FOUND', { detail: 'No such user' });

export function createAdminService(deps: AdminServiceDeps) {
  const { admin, users, outbox, audit } = deps;

  /**
   * The user's tokens minted before now stop working in every service (the second after now,
   * so a token issued earlier in this second is refused too); the next refresh carries the
   * new claims. Tokens minted after an earlier change of this same second carry that change's
   * marker as their `iat`, so the new marker must be above the current one too (read after the
   * change committed, so no token with the old claims can be newer). Changes faster than one a
   * second to one user move the marker ahead of the clock by one second each; verifiers allow
   * a minute of clock skew on `iat`.
   */
  const cutOff = async (userId: string) => {
    const current = await deps.sessions.notBefore(userId);
    await deps.sessions.setNotBefore(userId, Math.max(Math.floor(deps.clock() / 1000) + 1, current + 1));
  };

  /** Every session ends, and every service hears of it (the revocations are published). */
  const revokeAll = async (userId: string) => deps.sessions.revoke(userId, await deps.sessions.listIds(userId, 0));

  /**
   * Locks the admins' rows, then the target's: always in that order, so two changes never wait
   * on each other crosswise (no deadlock), and a second demotion sees the first one's result.
   */
  async function lockTarget(userId: string, tx: Tx): Promise<{ user: User; admins: string[] }> {
    const admins = await admin.lockActiveAdmins(tx);
    const user = await admin.findForUpdate(userId, tx);
    if (!user || user.deletedAt !== null) throw notFound();
    return { user, admins };
  }

  /** Refuses (409 LAST_ADMIN) a change that takes the last active admin's role away. */
  function guardLastAdmin(target: User, admins: string[], keepsAdmin: boolean) {
    if (keepsAdmin || !admins.includes(target.id)) return;
    if (admins.length <= 1) throw appError('LAST_ADMIN', { detail: 'At least one active admin must remain' });
  }

  async function setActive(actor: Actor, userId: string, isActive: boolean, reason: string) {
    const updated = await users.transaction(async (tx) => {
      const { user, admins } = await lockTarget(userId, tx);
      if (!isActive) guardLastAdmin(user, admins, false);
      const changed = user.isActive === isActive ? user : await users.update(userId, { isActive }, tx);
      if (changed !== user) await outbox.enqueue(changed, 'upsert', tx);
      await audit.record(
        { type: isActive ? 'admin.user_enabled' : 'admin.user_disabled', actorId: actor.id, actorType: actor.type, targetId: userId, details: { reason } },
        tx,
      );
      return changed;
    });
    if (!isActive) {
      // Idempotent: disabling again (after a Redis failure here) finishes the job.
      await cutOff(userId);
      await revokeAll(userId);
    }
    return toPublicUser(updated);
  }

  return {
    async search(q: { query?: string | undefined; role?: UserRole | undefined; status?: 'active' | 'disabled' | undefined; cursor?: string | undefined; limit: number }) {
      const c = decodeCursor(q.cursor, cursorShape);
      const rows = await admin.search({ prefix: q.query?.trim().toLowerCase(), role: q.role, status: q.status, afterId: c?.id, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return { items: page.map(toPublicUser), nextCursor: rows.length > q.limit && last ? encodeCursor({ id: last.id }) : null };
    },

    async detail(userId: string) {
      const user = await users.findById(userId);
      if (!user || user.deletedAt !== null) throw notFound();
      const [sessions, identities] = await Promise.all([deps.sessions.list(userId, deps.clock()), admin.identities(userId)]);
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        user: toPublicUser(user),
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: iso(s.createdAt),
          lastUsedAt: iso(s.lastUsedAt),
          expiresAt: iso(s.expiresAt),
          ip: s.ip,
          userAgent: s.userAgent,
        })),
        identities: identities.map((i) => ({
          provider: i.provider,
          email: i.email,
          createdAt: i.createdAt.toISOString(),
          lastLoginAt: i.lastLoginAt.toISOString(),
        })),
      };
    },

    disable: (actor: Actor, userId: string, reason: string) => setActive(actor, userId, false, reason),
    enable: (actor: Actor, userId: string, reason: string) => setActive(actor, userId, true, reason),

    async setRoles(actor: Actor, userId: string, roles: UserRole[]) {
      const wanted = [...new Set(roles)].sort();
      const result = await users.transaction(async (tx) => {
        const { user, admins } = await lockTarget(userId, tx);
        guardLastAdmin(user, admins, wanted.includes('admin'));
        const before = [...user.roles].sort();
        if (before.join() === wanted.join()) return { user, changed: false };
        const updated = await users.update(userId, { roles: wanted }, tx);
        await outbox.enqueue(updated, 'upsert', tx);
        await audit.record(
          { type: 'admin.roles_changed', actorId: actor.id, actorType: actor.type, targetId: userId, details: { from: before, to: wanted } },
          tx,
        );
        return { user: updated, changed: true };
      });
      if (result.changed) await cutOff(userId);
      return toPublicUser(result.user);
    },

    async revokeSessions(actor: Actor, userId: string) {
      const user = await users.findById(userId);
      if (!user || user.deletedAt !== null) throw notFound();
      const ids = await deps.sessions.listIds(userId, deps.clock());
      await revokeAll(userId);
      await audit.recordNow({ type: 'admin.sessions_revoked', actorId: actor.id, actorType: actor.type, targetId: userId, details: { count: ids.length } });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

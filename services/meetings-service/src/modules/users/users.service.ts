import type { UserSnapshot } from '@authmeet/contracts';
import { boundedCache } from '@authmeet/auth-tokens';
import type { VerifiedAccessToken } from '@authmeet/auth-tokens';
import { AppError } from '@authmeet/http-kit';
import type { Tx } from '../../plugins/prisma.js';
import type { MeetingEvents } from '../meetings/meeting-events.js';
import type { MeetingsRepository } from '../meetings/meetings.repository.js';
import type { UserDirectory } from './user-directory.js';
import type { UsersRepository } from './users.repository.js';
import { appError } from '../../errors.js';

export interface UsersServiceDeps {
  users: UsersRepository;
  meetings: Pick<MeetingsRepository, 'endAllHostedBy' | 'leaveAll'>;
  directory: UserDirectory;
  events: Pick<MeetingEvents, 'publish'>;
  clock: () => number;
  /**
   * How long an admitted user is admitted again without reading the users table (0: always
   * read). A deactivation or deletion delivered to another replica takes at most this long to
   * apply here; a closed account's tokens are refused at once anyway (its sessions are revoked).
   */
  admitCacheTtlMs?: number;
}

export function createUsersService(deps: UsersServiceDeps) {
  const { users, directory, events } = deps;
  const now = () => new Date(deps.clock());
  const admitted =
    (deps.admitCacheTtlMs ?? 0) > 0
      ? boundedCache<string, true>(100_000, { ttl: deps.admitCacheTtlMs, ttlAutopurge: false })
      : undefined;
  /** Concurrent first requests of one new user share a single lookup at the auth-service. */
  const lookups = new Map<string, Promise<void>>();

  async function learn(userId: string): Promise<void> {
    const found = await directory.fetch(userId);
    // A valid signature for a user the auth-service does not know: treat the token as dead.
    if (found === null) throw new AppError('TOKEN_REVOKED', { detail: 'The user no longer exists' });
    if (found.deleted === true) {
      await removeUser(userId, found.version);
      throw new AppError('TOKEN_REVOKED', { detail: 'The account was closed' });
    }
    await users.applyIfNewer(userId, found, now());
  }

  /** Ends what they host and takes them out of the rest, then anonymises; events after commit. */
  async function removeUser(userId: string, version: number): Promise<void> {
    const at = now();
    const { ended, left } = await users.transaction(async (tx: Tx) => {
      await users.anonymise(userId, version, at, tx);
      return { ended: await deps.meetings.endAllHostedBy(userId, at, tx), left: await deps.meetings.leaveAll(userId, at, tx) };
    });
    for (const m of ended) {
      await events.publish(m.id, { type: 'meeting.ended', data: { meetingId: m.id, endedAt: m.endedAt.toISOString(), reason: 'host-deleted' } });
    }
    for (const m of left) {
      await events.publish(m.id, {
        type: 'participant.left',
        data: { meetingId: m.id, userId, leftAt: at.toISOString(), participantCount: m.participantCount },
      });
    }
  }

  return {
    /**
     * After the token is verified: a known user is admitted from the local copy alone (no call
     * to the auth-service, so its outage does not affect them); an unknown one is fetched once.
     */
    async admit(claims: VerifiedAccessToken): Promise<void> {
      if (admitted?.get(claims.sub)) return;
      let user = await users.findById(claims.sub);
      if (user === null) {
        let pending = lookups.get(claims.sub);
        if (pending === undefined) {
          pending = learn(claims.sub).finally(() => lookups.delete(claims.sub));
          lookups.set(claims.sub, pending);
        }
        await pending;
        user = await users.findById(claims.sub);
        if (user === null) throw new AppError('TOKEN_REVOKED', { detail: 'The user no longer exists' });
      }
      if (!user.isActive || user.deletedAt !== null) throw appError('ACCOUNT_DISABLED');
      admitted?.set(claims.sub, true);
    },

    /** PUT from the user sync: applied only when newer than what is stored. */
    applySync: (userId: string, data: UserSnapshot): Promise<boolean> => {
      admitted?.delete(userId);
      return users.applyIfNewer(userId, data, now());
    },

    /**
     * The batch PUT from the user sync: each user applied as by applySync, in one statement. A
     * user named twice counts once, with its highest version. Outcomes in the order first named.
     */
    async applySyncMany(items: readonly (UserSnapshot & { id: string })[]): Promise<{ id: string; applied: boolean }[]> {
      const newest = new Map<string, UserSnapshot & { id: string }>();
      for (const item of items) {
        const seen = newest.get(item.id);
        if (seen === undefined || item.version > seen.version) newest.set(item.id, item);
      }
      for (const id of newest.keys()) admitted?.delete(id);
      const applied = await users.applyManyIfNewer([...newest.values()], now());
      return [...newest.keys()].map((id) => ({ id, applied: applied.has(id) }));
    },

    /** DELETE from the user sync; idempotent, and for an unknown id it leaves a tombstone. */
    remove: (userId: string, version: number | undefined) => {
      admitted?.delete(userId);
      return removeUser(userId, version ?? 0);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;

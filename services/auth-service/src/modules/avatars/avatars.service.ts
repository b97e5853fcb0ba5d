import { randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { Prisma } from '../../generated/prisma/client.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { PublicUser } from '../users/users.schemas.js';
import { toPublicUser } from '../users/users.schemas.js';
import type { AvatarDeletionsRepository } from './avatar-deletions.repository.js';
import type { AvatarImageProcessor } from './avatar-image.js';
import type { AvatarStorage } from './avatar-storage.js';

export interface AvatarsServiceDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  deletions: AvatarDeletionsRepository;
  storage: Pick<AvatarStorage, 'put'>;
  images: AvatarImageProcessor;
  /** Wakes the deletion worker on this replica. */
  kickDeletions: () => void;
  config: {
    /** `avatarUrl` = this + "/" + key. */
    publicBaseUrl: string;
    /** How long an uploaded object whose commit never happened waits before it is deleted. */
    orphanGraceSec: number;
  };
}

/** Every picture of a user lives under this prefix; closing the account deletes all of it. */
export const avatarPrefix = (userId: string) => `profile-pictures/${userId}/`;

const gone = () => new AppError('UNAUTHENTICATED', { detail: 'The account no longer exists' });

export function createAvatarsService(deps: AvatarsServiceDeps) {
  const { users, outbox, deletions, storage, images } = deps;

  /** The new picture (or none) on the user row and in the user sync, the old object queued for deletion. */
  async function commit(userId: string, avatar: { key: string; url: string } | null, guardId?: bigint): Promise<PublicUser> {
    const result = await users.transaction(async (tx: Prisma.TransactionClient) => {
      const swapped = await users.replaceAvatar(userId, avatar, tx);
      if (!swapped) return null;
      await outbox.enqueue(swapped.user, 'upsert', tx);
      if (guardId !== undefined) await deletions.cancel(guardId, tx);
      if (swapped.previousKey !== null) await deletions.enqueue({ key: swapped.previousKey }, tx);
      return swapped;
    });
    if (!result) throw gone();
    if (result.previousKey !== null) deps.kickDeletions();
    return toPublicUser(result.user);
  }

  return {
    /**
     * `readFile` reads the request body; it is called only once the upload has a place in the
     * image queue, so a flood is refused before its bodies are buffered.
     */
    async upload(userId: string, readFile: () => Promise<Buffer>): Promise<PublicUser> {
      const release = images.admit();
      let jpeg: Buffer;
      try {
        jpeg = await images.toAvatarJpeg(await readFile());
      } finally {
        release();
      }
      const key = `${avatarPrefix(userId)}${randomUUID()}.jpg`;
      // Written before the upload and cancelled by the commit: if the database refuses the commit
      // or this process dies in between, the object is deleted after the grace instead of orphaned.
      const guardId = await deletions.enqueue({ key, delaySec: deps.config.orphanGraceSec });
      try {
        await storage.put(key, jpeg);
        return await commit(userId, { key, url: `${deps.config.publicBaseUrl}/${key}` }, guardId);
      } catch (error) {
        await deletions.release(guardId).then(deps.kickDeletions, () => undefined);
        throw error;
      }
    },

    async remove(userId: string): Promise<void> {
      await commit(userId, null);
    },

    /** Call in the account-closure transaction: every picture of the user goes, retried until gone. */
    async onAccountClosed(userId: string, tx: Prisma.TransactionClient): Promise<void> {
      await deletions.enqueue({ key: avatarPrefix(userId), prefix: true }, tx);
    },

    kickDeletions: deps.kickDeletions,
  };
}

export type AvatarsService = ReturnType<typeof createAvatarsService>;

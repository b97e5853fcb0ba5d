import { randomUUID } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import type { Prisma } from '../../generated/prisma/client.js';
import type { PublicUser } from '../users/users.schemas.js';
import { toPublicUser } from '../users/users.schemas.js';
import type { AvatarDeletionsRepository } from './avatar-deletions.repository.js';
import type { AvatarImageProcessor } from './avatar-image.js';
import type { AvatarStorage } from './avatar-storage.js';
import type { AvatarsRepository } from './avatars.repository.js';

export interface AvatarsServiceDeps {
  avatars: AvatarsRepository;
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
  const { avatars, deletions, storage, images } = deps;

  /** The new picture (or none) on the user row and in the user sync, the old object queued for deletion. */
  async function commit(userId: string, avatar: { key: string; url: string } | null, guardId?: bigint): Promise<PublicUser> {
    const swapped = await avatars.swap(userId, avatar, guardId);
    if (!swapped) throw gone();
    if (swapped.previousKey !== null) deps.kickDeletions();
    return toPublicUser(swapped);
  }

  /** Decodes the upload, its orphan guard written meanwhile; a refused image leaves no guard behind. */
  async function render(readFile: (into: Buffer) => Promise<Buffer>, key: string): Promise<{ jpeg: Buffer; guardId: bigint }> {
    const ticket = images.admit();
    let guard: Promise<bigint> | undefined;
    try {
      const input = await readFile(ticket.body);
      // Written before the upload and cancelled by the commit: if the database refuses the commit
      // or this process dies in between, the object is deleted after the grace instead of orphaned.
      // Nothing is stored before it has committed, so it can run while the image is decoded.
      guard = deletions.enqueue({ key, delaySec: deps.config.orphanGraceSec });
      // Both settled, not the first failure: the buffer goes back only once sharp is done with it.
      const [jpeg, guardId] = await Promise.allSettled([images.toAvatarJpeg(input), guard]);
      if (jpeg.status === 'rejected') throw jpeg.reason;
      if (guardId.status === 'rejected') throw guardId.reason;
      return { jpeg: jpeg.value, guardId: guardId.value };
    } catch (error) {
      // Nothing was stored under the key: the guard has nothing to guard.
      await guard?.then((id) => deletions.cancel(id)).catch(() => undefined);
      throw error;
    } finally {
      // Only now: the ticket's buffer holds the body until sharp is done with it.
      ticket.release();
    }
  }

  return {
    /**
     * `readFile` reads the request body into the buffer it is given and returns the part it
     * filled; it is called only once the upload has a place in the image queue, so a flood is
     * refused before its bodies are buffered.
     */
    async upload(userId: string, readFile: (into: Buffer) => Promise<Buffer>): Promise<PublicUser> {
      const key = `${avatarPrefix(userId)}${randomUUID()}.jpg`;
      const { jpeg, guardId } = await render(readFile, key);
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

import { createWaker } from '@authmeet/http-kit';
import type { ServiceContext } from '../../context.js';
import { createAvatarDeletionsRepository } from './avatar-deletions.repository.js';
import { createAvatarImageProcessor } from './avatar-image.js';
import { createAvatarStorage } from './avatar-storage.js';
import type { AvatarStorage } from './avatar-storage.js';
import { createAvatarsRepository } from './avatars.repository.js';
import { avatarsRoutes } from './avatars.routes.js';
import { createAvatarsService } from './avatars.service.js';

export interface AvatarsModuleDeps {
  /** Replaces the S3 client (tests that break the storage on purpose). */
  storage?: AvatarStorage | undefined;
}

/**
 * Profile pictures: the upload and delete routes (under `/v1/auth`), the S3 storage, and the
 * queue of objects to delete, which the picture-deletion worker (src/workers) empties. The
 * bucket is not part of readiness: while it is down uploads answer 503 and deletions wait.
 */
export function avatarsModule({ app, config }: ServiceContext, deps: AvatarsModuleDeps) {
  const settings = config.avatars;
  const storage = deps.storage ?? createAvatarStorage(settings.s3);
  const deletions = createAvatarDeletionsRepository(app.prisma);
  const waker = createWaker();
  const service = createAvatarsService({
    avatars: createAvatarsRepository(app.prisma),
    deletions,
    storage,
    images: createAvatarImageProcessor(settings),
    kickDeletions: () => waker.wake(),
    config: { publicBaseUrl: settings.publicBaseUrl, orphanGraceSec: settings.deletion.orphanGraceSec },
  });
  app.addHook('onClose', async () => storage.close());
  return {
    service,
    deletions,
    storage,
    waker,
    routes: avatarsRoutes({ avatars: service, maxBytes: settings.maxBytes, limits: config.rateLimit }),
  };
}

export type AvatarsModule = ReturnType<typeof avatarsModule>;

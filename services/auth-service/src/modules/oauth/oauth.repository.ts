import type { PrismaClient, User, UserIdentity } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

/** The only code that queries the user_identities table. */
export function createIdentitiesRepository(prisma: PrismaClient) {
  return {
    find: (provider: string, subject: string, db: Db = prisma): Promise<(UserIdentity & { user: User }) | null> =>
      db.userIdentity.findUnique({ where: { provider_subject: { provider, subject } }, include: { user: true } }),

    create: (identity: { userId: string; provider: string; subject: string; email: string | null }, db: Db = prisma) =>
      db.userIdentity.create({ data: identity }),

    touch: (id: string, email: string | null, db: Db = prisma) =>
      db.userIdentity.update({ where: { id }, data: { email, lastLoginAt: new Date() } }),
  };
}

export type IdentitiesRepository = ReturnType<typeof createIdentitiesRepository>;

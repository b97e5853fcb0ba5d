import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

export interface NewPasskey {
  userId: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  name: string;
}

/** The only code that queries the passkeys table. */
export function createPasskeysRepository(prisma: PrismaClient) {
  return {
    listByUser: (userId: string) => prisma.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),

    findByCredentialId: (credentialId: string) => prisma.passkey.findUnique({ where: { credentialId } }),

    create: (p: NewPasskey, db: Db = prisma) =>
      db.passkey.create({ data: { ...p, publicKey: Buffer.from(p.publicKey), counter: BigInt(p.counter) } }),

    /**
     * Stores the signature counter a login presented, only if the stored one did not move
     * meanwhile: two logins racing with one assertion cannot both pass.
     */
    async recordUse(id: string, previousCounter: bigint, newCounter: number, at: Date): Promise<boolean> {
      const { count } = await prisma.passkey.updateMany({ where: { id, counter: previousCounter }, data: { counter: BigInt(newCounter), lastUsedAt: at } });
      return count === 1;
    },

    /** Scoped to the owner: another user's passkey id is simply not found. */
    async rename(userId: string, id: string, name: string, db: Db = prisma) {
      const { count } = await db.passkey.updateMany({ where: { id, userId }, data: { name } });
      return count === 1 ? db.passkey.findUnique({ where: { id } }) : null;
    },

    async remove(userId: string, id: string, db: Db = prisma): Promise<boolean> {
      const { count } = await db.passkey.deleteMany({ where: { id, userId } });
      return count === 1;
    },
  };
}

export type PasskeysRepository = ReturnType<typeof createPasskeysRepository>;

import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

/** The only code that queries the TOTP and recovery-code tables. */
export function createMfaRepository(prisma: PrismaClient) {
  return {
    findTotp: (userId: string, db: Db = prisma) => db.userTotp.findUnique({ where: { userId } }),

    /** A fresh pending secret replaces any earlier pending one. */
    savePending: (userId: string, sealedSecret: string, db: Db = prisma) =>
      db.userTotp.upsert({
        where: { userId },
        create: { userId, secret: sealedSecret },
        update: { secret: sealedSecret, confirmedAt: null, lastStep: null, createdAt: new Date() },
      }),

    /**
     * Records `step` as used, only if it is later than every step used before: one statement,
     * so two requests with the same code cannot both pass (a replay within the window fails).
     */
    async takeStep(userId: string, step: number, db: Db = prisma): Promise<boolean> {
      const { count } = await db.userTotp.updateMany({
        where: { userId, OR: [{ lastStep: null }, { lastStep: { lt: step } }] },
        data: { lastStep: step },
      });
      return count === 1;
    },

    markConfirmed: (userId: string, db: Db = prisma) => db.userTotp.update({ where: { userId }, data: { confirmedAt: new Date() } }),

    replaceRecoveryCodes: async (userId: string, codeHashes: string[], db: Db) => {
      await db.recoveryCode.deleteMany({ where: { userId } });
      await db.recoveryCode.createMany({ data: codeHashes.map((codeHash) => ({ userId, codeHash })) });
    },

    /** Spends a recovery code in the statement that checks it, so it works once. */
    async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
      const { count } = await prisma.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: new Date() } });
      return count === 1;
    },

    /** TOTP secret and recovery codes gone; passkeys too when `passkeys` is set (admin reset). */
    removeAll: async (userId: string, db: Db, opts: { passkeys: boolean }) => {
      await db.userTotp.deleteMany({ where: { userId } });
      await db.recoveryCode.deleteMany({ where: { userId } });
      if (opts.passkeys) await db.passkey.deleteMany({ where: { userId } });
    },

    /** Secrets sealed with another key than `activeKeyId`, a page at a time (key rotation). */
    staleSecrets: (activeKeyId: string, take: number) =>
      prisma.userTotp.findMany({ where: { NOT: { secret: { startsWith: `v1.${activeKeyId}.` } } }, take, orderBy: { userId: 'asc' } }),

    /** Compare-and-set, so a secret replaced meanwhile is not overwritten with an old one. */
    async reseal(userId: string, from: string, to: string): Promise<boolean> {
      const { count } = await prisma.userTotp.updateMany({ where: { userId, secret: from }, data: { secret: to } });
      return count === 1;
    },
  };
}

export type MfaRepository = ReturnType<typeof createMfaRepository>;

import { Prisma } from '../../generated/prisma/client.js';
import type { PrismaClient, User, UserTotp } from '../../generated/prisma/client.js';
import { USER_COLUMNS_SQL } from '../users/users.repository.js';
import type { Db } from '../users/users.repository.js';

/** What the second login step reads: the user and, when there is one, their TOTP row. */
export interface LoginAccount {
  user: User;
  totp: Pick<UserTotp, 'secret' | 'lastStep'> | null;
}

/** The only code that queries the TOTP and recovery-code tables. */
export function createMfaRepository(prisma: PrismaClient) {
  return {
    findTotp: (userId: string, db: Db = prisma) => db.userTotp.findUnique({ where: { userId } }),

    /**
     * The user and their TOTP row in one statement (the second login step's read; Prisma's
     * `include` would be two). The columns are those of `users.findById`, under Prisma's field
     * names: test/mfa-repository.test.ts fails when the users table gains one this list lacks.
     */
    async findLoginAccount(userId: string): Promise<LoginAccount | null> {
      const [row] = await prisma.$queryRaw<(User & { totpSecret: string | null; totpLastStep: number | null })[]>`
        SELECT ${Prisma.raw(USER_COLUMNS_SQL)}, t.secret AS "totpSecret", t.last_step AS "totpLastStep"
        FROM users u LEFT JOIN user_totp t ON t.user_id = u.id
        WHERE u.id = ${userId}::uuid`;
      if (!row) return null;
      const { totpSecret, totpLastStep, ...user } = row;
      return { user, totp: totpSecret === null ? null : { secret: totpSecret, lastStep: totpLastStep } };
    },

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

import { createHash, randomBytes } from 'node:crypto';
import type { AccountToken, AccountTokenPurpose, PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../users/users.repository.js';

export type { AccountTokenPurpose };

/**
 * Mailed one-time tokens: 256 random bits, base64url (43 characters). Only the SHA-256 is
 * stored; a fast hash is right for this much entropy, and a database leak yields no usable link.
 */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const hashAccountToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function mintAccountToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashAccountToken(token) };
}

/** Cheap shape check before any lookup: junk never reaches the database. */
export const isAccountTokenShape = (token: string) => TOKEN_PATTERN.test(token);

export interface NewAccountToken {
  userId: string;
  purpose: AccountTokenPurpose;
  tokenHash: string;
  email: string;
  expiresAt: Date;
}

/** The only code that queries the account_tokens table. */
export function createAccountTokensRepository(prisma: PrismaClient) {
  const live = (tokenHash: string, purpose: AccountTokenPurpose, now: Date) => ({
    tokenHash,
    purpose,
    usedAt: null,
    expiresAt: { gt: now },
  });

  return {
    create: (token: NewAccountToken, db: Db = prisma) => db.accountToken.create({ data: token }),

    /** The token if it is unused and unexpired, without spending it. */
    findLive: (tokenHash: string, purpose: AccountTokenPurpose, now: Date, db: Db = prisma): Promise<AccountToken | null> =>
      db.accountToken.findFirst({ where: live(tokenHash, purpose, now) }),

    /**
     * Spends the token if it is live. The check and the write are one UPDATE, so of two
     * concurrent uses exactly one wins (the loser re-reads `used_at` after the row lock).
     */
    async consume(tokenHash: string, purpose: AccountTokenPurpose, now: Date, db: Db = prisma): Promise<AccountToken | undefined> {
      const { count } = await db.accountToken.updateMany({ where: live(tokenHash, purpose, now), data: { usedAt: now } });
      if (count !== 1) return undefined;
      return (await db.accountToken.findUnique({ where: { tokenHash } })) ?? undefined;
    },

    /** Spends every other live token of the user for that purpose (one link works, then none). */
    invalidateAll: (userId: string, purpose: AccountTokenPurpose, now: Date, db: Db = prisma) =>
      db.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: now } }),

    async purgeExpired(olderThan: Date): Promise<number> {
      return (await prisma.accountToken.deleteMany({ where: { expiresAt: { lt: olderThan } } })).count;
    },
  };
}

export type AccountTokensRepository = ReturnType<typeof createAccountTokensRepository>;

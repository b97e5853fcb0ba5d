import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import pLimit from 'p-limit';

export interface Argon2Config {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** Hashes computed at once; the rest queue. Caps memory under a login flood. */
  maxConcurrency: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies; `needsRehash` is true when the stored hash uses weaker parameters than today's. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Burns the same time as a real verify, for identifiers that match no account. */
  verifyDummy(password: string): Promise<void>;
  readonly pending: () => number;
}

export async function createPasswordHasher(config: Argon2Config): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id as typeof argon2.argon2id,
    memoryCost: config.memoryCost,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  };
  const limit = pLimit(config.maxConcurrency);
  // A real hash of a random secret with today's parameters: verifying against it costs exactly
  // what verifying a real account costs, so timing cannot tell "no such user" from "wrong password".
  const dummyHash = await argon2.hash(randomBytes(32).toString('base64url'), options);

  return {
    hash: (password) => limit(() => argon2.hash(password, options)),
    async verify(hash, password) {
      const ok = await limit(async () => {
        try {
          return await argon2.verify(hash, password);
        } catch {
          return false; // a malformed stored hash is a failed login, not a 500
        }
      });
      return { ok, needsRehash: ok && argon2.needsRehash(hash, options) };
    },
    async verifyDummy(password) {
      await limit(() => argon2.verify(dummyHash, password).catch(() => false));
    },
    pending: () => limit.pendingCount + limit.activeCount,
  };
}

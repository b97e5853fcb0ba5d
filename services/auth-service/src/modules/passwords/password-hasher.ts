import { randomBytes } from 'node:crypto';
import { AppError } from '@authmeet/http-kit';
import argon2 from 'argon2';
import pLimit from 'p-limit';

export interface Argon2Config {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** Hashes computed at once; the rest queue. Caps memory under a login flood. */
  maxConcurrency: number;
  /** Hashes allowed to wait for a slot; beyond that the request is refused with 503 at once. */
  maxQueue: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies; `needsRehash` is true when the stored hash uses weaker parameters than today's. */
  verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Burns the same time as a real verify, for identifiers that match no account. */
  verifyDummy(password: string): Promise<void>;
  readonly pending: () => number;
}

/**
 * Retry-After for a full queue: a queue's worth of hashes drains in well under a second at the
 * default cost, so a client that waits this long finds room again.
 */
const BUSY_RETRY_AFTER_SEC = 1;

export async function createPasswordHasher(config: Argon2Config): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id as typeof argon2.argon2id,
    memoryCost: config.memoryCost,
    timeCost: config.timeCost,
    parallelism: config.parallelism,
  };
  const limit = pLimit(config.maxConcurrency);
  // An unbounded queue turns a flood of guesses into seconds of latency for everyone, the owner
  // of the account included. Past the bound we shed load instead: a fast 503 the client retries.
  const bounded = <T>(task: () => Promise<T>): Promise<T> => {
    if (limit.pendingCount >= config.maxQueue) {
      return Promise.reject(
        new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Too many password checks in progress; retry shortly', retryAfter: BUSY_RETRY_AFTER_SEC }),
      );
    }
    return limit(task);
  };
  // A real hash of a random secret with today's parameters: verifying against it costs exactly
  // what verifying a real account costs, so timing cannot tell "no such user" from "wrong password".
  const dummyHash = await argon2.hash(randomBytes(32).toString('base64url'), options);

  return {
    hash: (password) => bounded(() => argon2.hash(password, options)),
    async verify(hash, password) {
      const ok = await bounded(async () => {
        try {
          return await argon2.verify(hash, password);
        } catch {
          return false; // a malformed stored hash is a failed login, not a 500
        }
      });
      return { ok, needsRehash: ok && argon2.needsRehash(hash, options) };
    },
    async verifyDummy(password) {
      await bounded(() => argon2.verify(dummyHash, password).catch(() => false));
    },
    pending: () => limit.pendingCount + limit.activeCount,
  };
}

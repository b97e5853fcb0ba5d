import type { HttpApp } from '@authmeet/http-kit';
import type { LightMyRequestResponse } from 'fastify';
import { createPasswordHasher } from '../../src/modules/passwords/password-hasher.js';
import type { PasswordHasher } from '../../src/modules/passwords/password-hasher.js';

export const WRONG_PASSWORD = 'Wrong-Guess-1234!';

/** The real argon2 hasher, counting the password checks it actually runs. */
export async function countingHasher(maxQueue = 10_000) {
  const real = await createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 4, maxQueue });
  let verifications = 0;
  const hasher: PasswordHasher = {
    ...real,
    async verify(hash, password) {
      verifications += 1;
      return real.verify(hash, password);
    },
    async verifyDummy(password) {
      verifications += 1;
      return real.verifyDummy(password);
    },
  };
  return {
    hasher,
    get verifications() {
      return verifications;
    },
    reset() {
      verifications = 0;
    },
  };
}

export const loginFrom = (app: HttpApp, ip: string, identifier: string, password = WRONG_PASSWORD) =>
  app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password }, remoteAddress: ip });

/** How many responses had each status code, e.g. `{ 401: 10, 429: 90 }`. */
export function statusCounts(responses: LightMyRequestResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
}

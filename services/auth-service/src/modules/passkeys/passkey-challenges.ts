import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';

/**
 * WebAuthn challenges, single use, in Redis (one key each, so any replica can finish a ceremony
 * another one started; GETDEL takes a challenge once):
 *
 *   wa:reg:{u:<uid>}          string  the user's pending registration challenge (a newer
 *                                     options call replaces it). TTL = WEBAUTHN_CHALLENGE_TTL.
 *   wa:login:<challengeId>    string  JSON { challenge, userId? }: a login ceremony, bound to a
 *                                     user when it was started with an identifier.
 */
export interface LoginChallenge {
  challenge: string;
  userId: string | null;
}

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v);

export function createPasskeyChallenges(redis: RedisClient, ttlSec: number) {
  const regKey = (userId: string) => `wa:reg:{u:${userId}}`;
  return {
    saveRegistration: async (userId: string, challenge: string) => {
      await redis.set(regKey(userId), challenge, 'EX', ttlSec);
    },
    takeRegistration: (userId: string) => redis.getdel(regKey(userId)),

    async saveLogin(challenge: LoginChallenge): Promise<string> {
      const challengeId = randomUUID();
      await redis.set(`wa:login:${challengeId}`, JSON.stringify(challenge), 'EX', ttlSec);
      return challengeId;
    },
    async takeLogin(challengeId: string): Promise<LoginChallenge | undefined> {
      if (!isUuid(challengeId)) return undefined;
      const raw = await redis.getdel(`wa:login:${challengeId}`);
      return raw === null ? undefined : (JSON.parse(raw) as LoginChallenge);
    },
  };
}

export type PasskeyChallenges = ReturnType<typeof createPasskeyChallenges>;

import { createHash, randomUUID } from 'node:crypto';
// The auth-service's own repository: the session a login writes, which token checks look up.
import { createSessionsRepository } from '@authmeet/auth-service/sessions-repository';
import { Redis } from 'ioredis';
import { importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { REDIS_PREFIX } from './stack.js';
import type { Stack } from './stack.js';

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

export interface MintedUser {
  id: string;
  email: string;
  username: string;
}

/**
 * Access tokens for users seeded by SQL, as a login makes them without the password check: the
 * session written to Redis through the auth-service's sessions repository (the services confirm
 * a token's session exists), the token signed with the key the auth-service signs with and
 * carrying the claims its logins put in (sessions.service.ts). Call `close()` when done.
 */
export async function tokenMinter(stack: Stack, redisUrl: string, ttlSec = 900) {
  const redis = new Redis(redisUrl, { keyPrefix: REDIS_PREFIX, maxRetriesPerRequest: 2 });
  const sessions = createSessionsRepository(redis, { keyPrefix: REDIS_PREFIX, revocationTtlSec: 960 });
  const jwk = (JSON.parse(stack.signing.jwks) as { keys: (JWK & { kid: string })[] }).keys[0];
  if (jwk === undefined) throw new Error('no signing key');
  const key = await importJWK(jwk, 'EdDSA');
  const { issuer, audience, clientId } = stack.signing;
  const mint = async (user: MintedUser): Promise<string> => {
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const sid = randomUUID();
    await sessions.create({
      userId: user.id,
      id: sid,
      refreshHash: sha(randomUUID()),
      salt: sha(randomUUID()).slice(0, 22),
      authn: { amr: ['pwd'], acr: 'aal1', authTime: nowMs },
      now: nowMs,
      expiresAt: nowMs + ttlSec * 1000,
      absoluteExpiresAt: nowMs + ttlSec * 1000,
      ip: '127.0.0.1',
      userAgent: 'authmeet-bench',
    });
    return new SignJWT({
      sid,
      email: user.email,
      username: user.username,
      amr: ['pwd'],
      acr: 'aal1',
      auth_time: now,
      roles: [],
      client_id: clientId,
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: jwk.kid })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSec)
      .sign(key);
  };
  return { mint, close: () => redis.disconnect() };
}

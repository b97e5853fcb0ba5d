// What the minimal references share: bare Fastify (no plugins, no logger), one `pg` pool, one
// ioredis client, and the token check written as plainly as it can be while still correct:
// jose verifies the signature and claims (EdDSA, typ at+jwt, issuer, audience, expiry), the
// result is cached by the token's SHA-256 until it expires, and every request asks Redis whether
// the session is still alive and the token not older than the user's not-before marker (the
// sessions repository's `isTokenRevoked`: the same two keys, one round trip).
import { createHash } from 'node:crypto';
import { createSessionsRepository } from '@authmeet/auth-service/sessions-repository';
import Fastify from 'fastify';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { peerEnv } from '../config.js';

export const ISSUER = 'authmeet-auth';
export const AUDIENCE = 'authmeet';
const ACCESS_TOKEN_TTL_SEC = 15 * 60;

export interface Claims extends JWTPayload {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

export function minimalServer() {
  const keyPrefix = peerEnv('REDIS_KEY_PREFIX');
  const redis = new Redis(peerEnv('REDIS_URL'), { keyPrefix });
  // Ten connections, like the services' DATABASE_POOL_SIZE.
  const pool = new pg.Pool({ connectionString: peerEnv('DATABASE_URL'), max: 10 });
  const sessions = createSessionsRepository(redis, { keyPrefix, revocationTtlSec: ACCESS_TOKEN_TTL_SEC + 60 });
  const app = Fastify({ logger: false });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => Promise.all([pool.end(), redis.quit()]))
      .finally(() => process.exit(0));
  });
  const listen = () => app.listen({ host: '127.0.0.1', port: Number(peerEnv('PORT')) });
  return { app, redis, pool, sessions, listen };
}

/** The claims of a live access token in `Authorization: Bearer …`, or undefined. */
export function tokenCheck(keys: JWTVerifyGetKey, sessions: ReturnType<typeof createSessionsRepository>) {
  const cache = new LRUCache<string, Claims>({ max: 10_000 });
  return async (authorization: string | undefined): Promise<Claims | undefined> => {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    const token = authorization.slice('Bearer '.length);
    const key = createHash('sha256').update(token).digest('base64url');
    let claims = cache.get(key);
    if (claims === undefined || claims.exp * 1000 <= Date.now()) {
      try {
        const { payload } = await jwtVerify<Claims>(token, keys, {
          algorithms: ['EdDSA'],
          issuer: ISSUER,
          audience: AUDIENCE,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'sid', 'iat', 'exp', 'jti', 'client_id'],
        });
        claims = payload;
      } catch {
        return undefined;
      }
      cache.set(key, claims, { ttl: Math.max(1, claims.exp * 1000 - Date.now()) });
    }
    return (await sessions.isTokenRevoked(claims)) ? undefined : claims;
  };
}

/** A problem answer like the services' (RFC 9457), for the refusals a reference can give. */
export function problem(reply: FastifyReply, status: number, code: string) {
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', title: code, status, code });
}

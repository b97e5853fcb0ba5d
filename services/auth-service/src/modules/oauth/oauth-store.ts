import { createHash } from 'node:crypto';
import type { RedisClient } from '@authmeet/http-kit';

/** What the start of a sign-in leaves for its callback. */
export interface PendingSignIn {
  /** PKCE code verifier: only its S256 challenge went to the provider. */
  verifier: string;
  nonce: string;
  /** Already checked against the allowlist and normalised. */
  redirectTo: string;
  /** SHA-256 of the browser-binding cookie set at start. */
  bindingHash: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Short-lived OAuth state in Redis, keyed by the SHA-256 of the secret (a Redis dump reveals no
 * usable state or code). Both are read with GETDEL, so each works exactly once, across replicas.
 *
 *   oauth-state:<sha256(state)>  JSON PendingSignIn, TTL OAUTH_STATE_TTL
 *   oauth-code:<sha256(code)>    user id, TTL OAUTH_CODE_TTL (60 s)
 */
export function createOAuthStore(redis: RedisClient) {
  return {
    async saveState(state: string, pending: PendingSignIn, ttlSec: number): Promise<void> {
      await redis.set(`oauth-state:${sha256(state)}`, JSON.stringify(pending), 'EX', ttlSec);
    },

    async takeState(state: string): Promise<PendingSignIn | undefined> {
      const raw = await redis.getdel(`oauth-state:${sha256(state)}`);
      return raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
    },

    async saveCode(code: string, userId: string, ttlSec: number): Promise<void> {
      await redis.set(`oauth-code:${sha256(code)}`, userId, 'EX', ttlSec);
    },

    async takeCode(code: string): Promise<string | undefined> {
      return (await redis.getdel(`oauth-code:${sha256(code)}`)) ?? undefined;
    },
  };
}

export const hashBinding = sha256;

export type OAuthStore = ReturnType<typeof createOAuthStore>;

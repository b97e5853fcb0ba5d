import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionAliveKey } from '@authmeet/auth-tokens';
import { createTestRedis } from '@authmeet/test-kit';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export const ISSUER = 'authmeet-auth';
export const AUDIENCE = 'authmeet';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenIssuer {
  /** JWKS URL served by a local HTTP server standing in for the auth-service. */
  jwksUrl: string;
  /** Requests the JWKS server received. */
  readonly fetches: number;
  /** A fresh key, signing from now on; published only when `publish` is true. */
  rotate(kid: string, publish?: boolean): Promise<void>;
  /** `acr` and `authTime` (epoch s) as a login of that strength and time would give. */
  token(sub: string, opts?: { sid?: string; kid?: string; expSec?: number; acr?: 'aal1' | 'aal2'; authTime?: number; roles?: string[]; iat?: number }): Promise<string>;
  close(): Promise<void>;
}

async function makeKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

export interface IssuerSessions {
  redisUrl: string;
  /** The deployment's shared prefix (the meetings-service's revocation prefix). */
  keyPrefix: string;
}

/**
 * Signs access tokens shaped like the auth-service's, and serves their JWKS over real HTTP.
 * With `sessions`, each token's session is opened in Redis as the auth-service does at login:
 * verifiers refuse tokens whose session does not exist.
 */
export async function startTokenIssuer(sessions?: IssuerSessions): Promise<TokenIssuer> {
  const redis = sessions ? createTestRedis({ keyPrefix: sessions.keyPrefix }, sessions.redisUrl) : undefined;
  const first = await makeKey('k1');
  const keys: SigningKey[] = [first];
  const published = new Set([first.kid]);
  let active = first;
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    const body = { keys: keys.filter((k) => published.has(k.kid)).map((k) => k.publicJwk) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    async rotate(kid, publish = true) {
      active = await makeKey(kid);
      keys.push(active);
      if (publish) published.add(kid);
    },
    async token(sub, opts = {}) {
      const key = active;
      const now = opts.iat ?? Math.floor(Date.now() / 1000);
      const sid = opts.sid ?? randomUUID();
      await redis?.set(sessionAliveKey(sub, sid), 'live', 'EX', Math.max(opts.expSec ?? 900, 0) + 60);
      const acr = opts.acr ?? 'aal1';
      const amr = acr === 'aal2' ? ['pwd', 'otp', 'mfa'] : ['pwd'];
      const assurance = { amr, acr, auth_time: opts.authTime ?? now };
      return new SignJWT({ client_id: 'authmeet-web', sid, jti: randomUUID(), email: `${sub}@example.com`, username: `u-${sub.slice(0, 8)}`, roles: opts.roles ?? [], ...assurance })
        .setProtectedHeader({ alg: 'EdDSA', kid: opts.kid ?? key.kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + (opts.expSec ?? 900))
        .sign(key.privateKey);
    },
    async close() {
      redis?.disconnect();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

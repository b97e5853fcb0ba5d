import { createPublicKey } from 'node:crypto';
import { createTokenVerifier } from '@authmeet/auth-tokens';
import { accessTokenVerification, bearerAuth, REDIS_COMMAND_TIMEOUT_MS } from '@authmeet/http-kit';
import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import type { ServiceContext } from '../../context.js';
import type { AuditRecorder } from '../audit/index.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createBrowserSessions } from './browser-sessions.js';
import { createSessionsRepository } from './sessions.repository.js';
import { sessionsRoutes } from './sessions.routes.js';
import { createSessionsService } from './sessions.service.js';

export interface SessionsModuleDeps {
  users: Pick<UsersRepository, 'findById'>;
  keyRing: KeyRing;
  audit: AuditRecorder;
}

/**
 * Sessions in Redis, access-token signing (@fastify/jwt with the active key) and verification
 * (`app.authenticate`, through @authmeet/auth-tokens: a token is live only while its session is),
 * and cookie mode for browsers (`browser`: the refresh token in an HttpOnly cookie, @fastify/cookie).
 */
export async function sessionsModule({ app, config, clock }: ServiceContext, deps: SessionsModuleDeps) {
  const { keyRing } = deps;
  // Tokens of a session stay refusable for as long as any of them can live, plus clock skew.
  const revocationTtlSec = config.jwt.accessTokenTtlSec + 60;
  const repository = createSessionsRepository(app.redis, { keyPrefix: config.redis.keyPrefix, revocationTtlSec });

  await app.register(fastifyJwt, {
    secret: {
      private: keyRing.active.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      // Verification goes through @authmeet/auth-tokens (all published keys, pinned policy).
      public: createPublicKey(keyRing.active.privateKey).export({ format: 'pem', type: 'spki' }),
    },
    sign: {
      algorithm: 'EdDSA',
      kid: keyRing.active.kid,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      // RFC 9068 access-token type: verifiers refuse anything else (e.g. an ID token).
      header: { alg: 'EdDSA', typ: 'at+jwt' },
    },
  });

  const service = createSessionsService({
    repository,
    users: deps.users,
    audit: deps.audit,
    // RFC 9068 requires client_id; clients do not name themselves yet, so the configured default.
    signAccessToken: (claims, exp) => app.jwt.sign({ ...claims, client_id: config.jwt.defaultClientId, exp }),
    // Half the client's timeout: a rotation Redis runs after we gave up is refused by the script.
    rotationBudgetMs: REDIS_COMMAND_TIMEOUT_MS / 2,
    clock,
    config: {
      accessTokenTtlSec: config.jwt.accessTokenTtlSec,
      refreshTtlSec: config.sessions.refreshTtlSec,
      absoluteTtlSec: config.sessions.absoluteTtlSec,
      refreshReuseGraceSec: config.sessions.refreshReuseGraceSec,
    },
  });

  const verifier = createTokenVerifier({
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    keys: { kind: 'local', jwks: keyRing.publicJwks },
    maxIatSkewSec: config.jwt.maxIatSkewSec,
    // Here the session store itself is the truth: a token is live only while its session is.
    // The not-before marker refuses tokens minted before a change of roles or a disable.
    revocation: { isRevoked: (c) => service.isTokenRevoked(c) },
  });
  const verifyToken = accessTokenVerification((token) => verifier.verify(token));
  await app.register(bearerAuth, { verify: verifyToken });

  // Cookies are read only where a route takes one (browser-sessions' `read`), not parsed by a hook
  // on every request of the service; setting one works as usual.
  await app.register(fastifyCookie, { hook: false });
  const browser = createBrowserSessions(config.browserSessions);

  return { service, repository, verifyToken, browser, routes: sessionsRoutes(service) };
}

export type SessionsModule = Awaited<ReturnType<typeof sessionsModule>>;

// The minimal reference for the auth-service's `GET /v1/auth/me` and `POST /v1/auth/refresh`
// (issue 17, item 1): the same token check (minimal-kit.ts, the service's own keys), the same SQL
// (the users row by id, every column, as Prisma's findUnique reads it), the same Redis work (the
// sessions repository's rotation scripts and not-before marker), an access token with the same
// claims signed by jose, the same JSON. Left out: rate limits, cookie mode, request metrics,
// security headers, and the audit event of a reused token (a refusal path, not measured).
import { randomUUID } from 'node:crypto';
import { newSessionSalt, parseRefreshToken, successorRefreshToken } from '@authmeet/auth-service/refresh-token';
import { SignJWT, createLocalJWKSet, importJWK } from 'jose';
import type { JWK } from 'jose';
import { peerEnv } from '../config.js';
import { AUDIENCE, ISSUER, minimalServer, problem, tokenCheck } from './minimal-kit.js';

interface UserRow {
  id: string;
  email: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  emailVerified: boolean;
  isActive: boolean;
  mfaEnabled: boolean;
  roles: string[];
  avatarUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
  passwordHash: string | null;
  version: number;
  deletedAt: Date | null;
  avatarKey: string | null;
}

// Every column, as Prisma's findUnique reads them; the public ones first, in the answer's order.
const USER_BY_ID = `SELECT id, email, username, first_name AS "firstName", last_name AS "lastName", email_verified AS "emailVerified",
  is_active AS "isActive", mfa_enabled AS "mfaEnabled", roles::text[] AS roles, avatar_url AS "avatarUrl", created_at AS "createdAt",
  updated_at AS "updatedAt", password_hash AS "passwordHash", version, deleted_at AS "deletedAt", avatar_key AS "avatarKey"
  FROM users WHERE id = $1::uuid LIMIT 1`;

// The service's defaults: ACCESS_TOKEN_TTL 15m, REFRESH_TOKEN_TTL 7d, REFRESH_REUSE_GRACE 10s,
// JWT_DEFAULT_CLIENT_ID; a rotation's budget is half of the Redis command timeout (2 s).
const ACCESS_TTL_SEC = 15 * 60;
const REFRESH_TTL_MS = 7 * 24 * 3600 * 1000;
const GRACE_MS = 10_000;
const ROTATION_BUDGET_MS = 1_000;
const CLIENT_ID = 'authmeet-web';

const { app, pool, sessions, listen } = minimalServer();
const [privateJwk] = (JSON.parse(peerEnv('JWT_PRIVATE_JWKS')) as { keys: (JWK & { kid: string })[] }).keys;
if (privateJwk === undefined) throw new Error('JWT_PRIVATE_JWKS holds no key');
const signingKey = await importJWK(privateJwk, 'EdDSA');
const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid: privateJwk.kid, alg: 'EdDSA' };
const check = tokenCheck(createLocalJWKSet({ keys: [publicJwk] }), sessions);

const findUser = async (id: string) => (await pool.query<UserRow>(USER_BY_ID, [id])).rows[0];

/** No hash, no internal columns; dates serialise as their ISO strings. */
const publicUser = ({ passwordHash: _hash, version: _version, deletedAt: _deleted, avatarKey: _key, ...user }: UserRow) => user;

app.get('/v1/auth/me', async (request, reply) => {
  const claims = await check(request.headers.authorization);
  if (claims === undefined) return problem(reply, 401, 'UNAUTHENTICATED');
  const user = await findUser(claims.sub);
  if (!user?.isActive) return problem(reply, 401, 'UNAUTHENTICATED');
  return publicUser(user);
});

app.post<{ Body: { refreshToken?: unknown } }>('/v1/auth/refresh', async (request, reply) => {
  const presented = typeof request.body?.refreshToken === 'string' ? request.body.refreshToken : '';
  const parsed = parseRefreshToken(presented);
  if (!parsed) return problem(reply, 401, 'REFRESH_TOKEN_INVALID');
  const { userId, sessionId } = parsed;
  const [user, context] = await Promise.all([findUser(userId), sessions.rotationContext(userId, sessionId)]);
  if (user && !user.isActive && user.deletedAt === null) return problem(reply, 403, 'ACCOUNT_DISABLED');
  if (!context.exists) return problem(reply, 401, 'REFRESH_TOKEN_INVALID');
  if (!user?.isActive) {
    await sessions.revoke(userId, [sessionId]);
    return problem(reply, 401, 'REFRESH_TOKEN_INVALID');
  }
  const now = Date.now();
  let salt = context.salt ?? newSessionSalt();
  let next = successorRefreshToken(presented, userId, sessionId, salt);
  const rotate = () =>
    sessions.rotate({
      userId,
      sessionId,
      presentedHash: parsed.hash,
      successorHash: next.hash,
      salt,
      now,
      refreshTtlMs: REFRESH_TTL_MS,
      graceMs: GRACE_MS,
      deadline: context.redisNow + (Date.now() - context.receivedAt) + ROTATION_BUDGET_MS,
    });
  let result = await rotate();
  if (result.status === 'salt') {
    salt = result.salt;
    next = successorRefreshToken(presented, userId, sessionId, salt);
    result = await rotate();
  }
  if (result.status === 'late') return problem(reply, 503, 'DEPENDENCY_UNAVAILABLE');
  if (result.status === 'reused') {
    await sessions.revoke(userId, [sessionId]);
    return problem(reply, 401, 'REFRESH_TOKEN_REUSED');
  }
  if (result.status !== 'ok') return problem(reply, 401, 'REFRESH_TOKEN_INVALID');
  // The not-before marker: with one, the claims come from a read made after it.
  const notBefore = await sessions.notBefore(userId);
  let subject = user;
  if (notBefore !== 0) {
    const current = await findUser(userId);
    if (!current || current.deletedAt !== null) return problem(reply, 401, 'REFRESH_TOKEN_INVALID');
    if (!current.isActive) return problem(reply, 403, 'ACCOUNT_DISABLED');
    subject = current;
  }
  const { session } = result;
  const nowSec = Math.floor(Date.now() / 1000);
  const exp = Math.min(nowSec + ACCESS_TTL_SEC, Math.floor(session.absoluteExpiresAt / 1000));
  const accessToken = await new SignJWT({
    sid: sessionId,
    email: subject.email,
    username: subject.username,
    amr: session.authn.amr,
    acr: session.authn.acr,
    auth_time: Math.floor(session.authn.authTime / 1000),
    roles: [...subject.roles],
    client_id: CLIENT_ID,
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: privateJwk.kid })
    .setSubject(subject.id)
    .setJti(randomUUID())
    .setIssuedAt(Math.max(nowSec, notBefore))
    .setExpirationTime(exp)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .sign(signingKey);
  return {
    accessToken,
    expiresIn: Math.max(exp - nowSec, 0),
    refreshToken: next.token,
    tokenType: 'Bearer',
    refreshExpiresIn: Math.round((session.expiresAt - now) / 1000),
    user: publicUser(subject),
    sessionId,
  };
});

await listen();

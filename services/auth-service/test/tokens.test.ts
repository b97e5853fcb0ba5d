import { createPublicKey, randomUUID } from 'node:crypto';
import { createTestSubscriber } from '@authmeet/test-kit';
import { SignJWT, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningJwk, loadKeyRing } from '../src/modules/keys/key-ring.js';
import { bearer, expectProblem, login, registerAndLogin } from './factories.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const verify = (token: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token } });
const refresh = (refreshToken: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

/** Signs arbitrary claims/header with the service's real active key, for forging tests. */
async function signWithRealKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: randomUUID(), client_id: 'authmeet-web', email: 'x@example.com', username: 'x', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: ctx.keyRing.active.kid, typ: 'at+jwt', ...header })
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number | undefined) ?? now + 300)
    .setJti(randomUUID())
    .setSubject((claims.sub as string | undefined) ?? randomUUID())
    .setIssuer((claims.iss as string | undefined) ?? ctx.config.jwt.issuer)
    .setAudience((claims.aud as string | undefined) ?? ctx.config.jwt.audience)
    .sign(ctx.keyRing.active.privateKey);
}

describe('access tokens', () => {
  it('are EdDSA JWTs with kid, typ at+jwt and the contract claims', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    expect(decodeProtectedHeader(tokens.accessToken)).toEqual({ alg: 'EdDSA', kid: ctx.keyRing.active.kid, typ: 'at+jwt' });
    const res = await verify(tokens.accessToken);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.valid).toBe(true);
    expect(body.user.id).toBe(user.id);
    expect(body.claims).toMatchObject({
      iss: ctx.config.jwt.issuer,
      aud: ctx.config.jwt.audience,
      sub: user.id,
      sid: tokens.sessionId,
      email: user.email,
      username: user.username,
    });
    expect(body.claims.exp - body.claims.iat).toBe(ctx.config.jwt.accessTokenTtlSec);
    expect(tokens.expiresIn).toBe(ctx.config.jwt.accessTokenTtlSec);
    expect(tokens.tokenType).toBe('Bearer');
  });

  it('are published on the JWKS without private members', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: ctx.keyRing.active.kid, alg: 'EdDSA' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  describe('refused', () => {
    let realUserToken: string;
    beforeAll(async () => {
      realUserToken = (await registerAndLogin(ctx.app)).tokens.accessToken;
    });

    it('alg none', async () => {
      const [, payload] = realUserToken.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', kid: ctx.keyRing.active.kid, typ: 'at+jwt' })).toString('base64url');
      expectProblem(await verify(`${header}.${payload}.`), 401, 'TOKEN_INVALID');
    });

    it('HS256 signed with the public key as the HMAC secret', async () => {
      const pem = createPublicKey(ctx.keyRing.active.privateKey).export({ format: 'pem', type: 'spki' });
      const payload = JSON.parse(Buffer.from(realUserToken.split('.')[1] ?? '', 'base64url').toString());
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: ctx.keyRing.active.kid, typ: 'at+jwt' })
        .sign(Buffer.from(pem));
      expectProblem(await verify(forged), 401, 'TOKEN_INVALID');
    });

    it('unknown kid', async () => {
      const other = await loadKeyRing(
        { privateJwks: JSON.stringify({ keys: [await generateSigningJwk('attacker')] }), devKeysFile: '', env: 'test' },
        () => {},
      );
      const payload = JSON.parse(Buffer.from(realUserToken.split('.')[1] ?? '', 'base64url').toString());
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: 'attacker', typ: 'at+jwt' }).sign(other.active.privateKey);
      expectProblem(await verify(forged), 401, 'TOKEN_INVALID');
    });

    it('expired', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      expectProblem(await verify(await signWithRealKey({ exp: past })), 401, 'TOKEN_EXPIRED');
    });

    it('wrong issuer', async () => {
      expectProblem(await verify(await signWithRealKey({ iss: 'https://evil.example' })), 401, 'TOKEN_INVALID');
    });

    it('wrong audience', async () => {
      expectProblem(await verify(await signWithRealKey({ aud: 'another-api' })), 401, 'TOKEN_INVALID');
    });

    it('wrong typ', async () => {
      expectProblem(await verify(await signWithRealKey({}, { typ: 'JWT' })), 401, 'TOKEN_INVALID');
    });

    it('a refresh token presented as an access token', async () => {
      const { tokens } = await registerAndLogin(ctx.app);
      expectProblem(await verify(tokens.refreshToken), 401, 'TOKEN_INVALID');
      const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.refreshToken) });
      expectProblem(me, 401, 'TOKEN_INVALID');
    });

    it('a tampered payload', async () => {
      const [h, p, s] = realUserToken.split('.');
      const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
      const tampered = Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url');
      expectProblem(await verify(`${h}.${tampered}.${s}`), 401, 'TOKEN_INVALID');
    });

    it('a well-signed token whose session never existed', async () => {
      expectProblem(await verify(await signWithRealKey({})), 401, 'TOKEN_REVOKED');
    });

    it('no token and garbage on protected routes', async () => {
      const none = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me' });
      const body = expectProblem(none, 401, 'UNAUTHENTICATED');
      expect(none.headers['www-authenticate']).toBe('Bearer realm="auth-service"');
      expect(body.detail).toBeDefined();
      const garbage = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer('not.a.jwt') });
      expectProblem(garbage, 401, 'TOKEN_INVALID');
      expect(garbage.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });
  });
});

describe('refresh tokens', () => {
  it('rotate: the new pair works, the old refresh token dies', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    expect(Buffer.from(tokens.refreshToken, 'base64url').length).toBeGreaterThanOrEqual(32 + 32);
    const first = await refresh(tokens.refreshToken);
    expect(first.statusCode, first.body).toBe(200);
    const next = first.json();
    expect(next.sessionId).toBe(tokens.sessionId);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect(next.refreshExpiresIn).toBeGreaterThan(0);
    expect((await verify(next.accessToken)).statusCode).toBe(200);
    const again = await refresh(next.refreshToken);
    expect(again.statusCode, again.body).toBe(200);
  });

  // Reuse of a rotated token (theft) and the concurrent-tab grace: test/security/refresh-grace.test.ts.

  it('garbage, truncated and foreign refresh tokens are REFRESH_TOKEN_INVALID', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    expectProblem(await refresh('nonsense'), 401, 'REFRESH_TOKEN_INVALID');
    expectProblem(await refresh(tokens.refreshToken.slice(0, -2)), 401, 'REFRESH_TOKEN_INVALID');
    // Same session handle, different secret: not a token we issued, so invalid rather than reuse.
    const raw = Buffer.from(tokens.refreshToken, 'base64url');
    raw[40] = (raw[40] ?? 0) ^ 0xff;
    expectProblem(await refresh(raw.toString('base64url')), 401, 'REFRESH_TOKEN_INVALID');
    // The session survives a guess.
    expect((await refresh(tokens.refreshToken)).statusCode).toBe(200);
  });

  it('missing refreshToken is a validation error', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: {} });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'refreshToken', message: expect.any(String) }]);
  });
});

describe('revocation takes effect at once', () => {
  it('logout revokes only the current session', async () => {
    const { tokens, input } = await registerAndLogin(ctx.app);
    const other = await login(ctx.app, input.username);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(tokens.accessToken) });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await verify(tokens.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await refresh(tokens.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expect((await verify(other.accessToken)).statusCode).toBe(200);
  });

  it('logout-all revokes every session of the user, and no one else’s', async () => {
    const { tokens, input } = await registerAndLogin(ctx.app);
    const second = await login(ctx.app, input.email);
    const stranger = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(second.accessToken) });
    expect(res.statusCode).toBe(204);
    expectProblem(await verify(tokens.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await verify(second.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await refresh(second.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expect((await verify(stranger.tokens.accessToken)).statusCode).toBe(200);
  });

  it('per-device revoke kills that device only', async () => {
    const { tokens, input } = await registerAndLogin(ctx.app);
    const phone = await login(ctx.app, input.email, undefined, { 'user-agent': 'phone' });
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: `/v1/auth/sessions/${phone.sessionId}`,
      headers: bearer(tokens.accessToken),
    });
    expect(res.statusCode).toBe(204);
    expectProblem(await verify(phone.accessToken), 401, 'TOKEN_REVOKED');
    expect((await verify(tokens.accessToken)).statusCode).toBe(200);
  });

  it('revocations are published for other services (marker key + pub/sub)', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const sub = createTestSubscriber();
    const channel = `${ctx.config.redis.keyPrefix}revocations`;
    const received = new Promise<string>((resolve) => sub.on('message', (_c: string, m: string) => resolve(m)));
    await sub.subscribe(channel);
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(tokens.accessToken) });
    const message = JSON.parse(await received);
    expect(message).toMatchObject({ sub: user.id, sid: tokens.sessionId });
    const ttl = await ctx.app.redis.ttl(`revoked:{u:${user.id}}:${tokens.sessionId}`);
    expect(ttl).toBeGreaterThan(ctx.config.jwt.accessTokenTtlSec);
    await sub.quit();
  });
});

describe('signing-key rotation', () => {
  it('publishes every configured key; tokens of the previous key stay valid', async () => {
    const oldJwk = await generateSigningJwk('key-2026-01');
    const newJwk = await generateSigningJwk('key-2026-06');
    const before = await startAuthService({}, {
      keyRing: await loadKeyRing({ privateJwks: JSON.stringify({ keys: [oldJwk] }), devKeysFile: '', env: 'test' }, () => {}),
    });
    try {
      const { tokens } = await registerAndLogin(before.app);
      // Same database and Redis, new key set with the new key active: as after a deploy.
      const { buildApp } = await import('../src/app.js');
      const after = await buildApp(before.config, {
        logger: false,
        keyRing: await loadKeyRing(
          { privateJwks: JSON.stringify({ keys: [oldJwk, newJwk] }), activeKid: 'key-2026-06', devKeysFile: '', env: 'test' },
          () => {},
        ),
      });
      try {
        const jwks = (await after.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
        expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(['key-2026-01', 'key-2026-06']);
        const old = await after.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token: tokens.accessToken } });
        expect(old.statusCode, old.body).toBe(200);
        const refreshed = (await after.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })).json();
        expect(decodeProtectedHeader(refreshed.accessToken).kid).toBe('key-2026-06');
      } finally {
        await after.close();
      }
    } finally {
      await before.close();
    }
  });
});

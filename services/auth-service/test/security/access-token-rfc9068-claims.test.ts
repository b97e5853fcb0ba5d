import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, registerAndLogin } from '../factories.js';
import type { TokensBody } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * Access tokens declare RFC 9068 (`typ: at+jwt`), so they carry its required `client_id` (an
 * RFC 9068 validator elsewhere refused them without it); and a token whose `iat` lies in the
 * future beyond a small clock skew is refused, even with a valid signature.
 */
let ctx: TestContext;
let tokens: TokensBody;

beforeAll(async () => {
  ctx = await startAuthService({ JWT_DEFAULT_CLIENT_ID: 'test-web-client' });
  ({ tokens } = await registerAndLogin(ctx.app));
});
afterAll(async () => ctx.close());

/** A token for the logged-in session, signed with the real key, with `claims` changed. */
async function realSessionToken(claims: Record<string, unknown>) {
  const current = decodeJwt(tokens.accessToken);
  return new SignJWT({ ...current, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: ctx.keyRing.active.kid, typ: 'at+jwt' })
    .sign(ctx.keyRing.active.privateKey);
}

describe('client_id', () => {
  it('is in every access token: the configured default client', async () => {
    expect(decodeJwt(tokens.accessToken).client_id).toBe('test-web-client');
    const refreshed = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })).json();
    expect(decodeJwt(refreshed.accessToken).client_id).toBe('test-web-client');
    tokens = { ...tokens, accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken };
  });

  it('is reported by verify-token', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token: tokens.accessToken } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().claims.client_id).toBe('test-web-client');
  });

  it('is required: a token without it is refused', async () => {
    const token = await realSessionToken({ client_id: undefined });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) }), 401, 'TOKEN_INVALID');
  });
});

describe('iat in the future', () => {
  it('beyond the skew: refused', async () => {
    const token = await realSessionToken({ iat: Math.floor(Date.now() / 1000) + 600 });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) }), 401, 'TOKEN_INVALID');
  });

  it('within the skew: accepted', async () => {
    const token = await realSessionToken({ iat: Math.floor(Date.now() / 1000) + 20 });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) })).statusCode).toBe(200);
  });
});

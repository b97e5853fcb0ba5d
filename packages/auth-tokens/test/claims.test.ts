import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { REQUIRED_CLAIMS, toVerifiedAccessToken } from '../src/claims.js';
import { TokenVerificationError } from '../src/index.js';
import { AUDIENCE, ISSUER, claims } from './helpers/tokens.js';

// toVerifiedAccessToken is the last line after jose: it must hold on its own, whatever jose
// let through, so it is tested directly with payloads jose would (or might one day) accept.

const policy = () => ({ issuer: ISSUER, audience: AUDIENCE, maxIatSkewSec: 60, nowSec: Math.floor(Date.now() / 1000) });

function refusal(payload: JWTPayload): TokenVerificationError {
  try {
    toVerifiedAccessToken(payload, policy());
  } catch (err) {
    expect(err).toBeInstanceOf(TokenVerificationError);
    return err as TokenVerificationError;
  }
  throw new Error('payload was accepted');
}

describe('toVerifiedAccessToken', () => {
  it('requires every claim it returns to be present before the type checks', () => {
    expect([...REQUIRED_CLAIMS].sort()).toEqual(['aud', 'client_id', 'email', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub', 'username']);
  });

  it('returns a frozen object holding exactly the vetted claims', () => {
    const payload = claims({ extra: 'dropped', roles: ['admin'] });
    const result = toVerifiedAccessToken(payload, policy());
    expect(result).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      client_id: payload.client_id,
      sid: 'session-1',
      jti: payload.jti,
      iat: payload.iat,
      exp: payload.exp,
      email: 'ada@example.com',
      username: 'ada',
      // Absent assurance claims read as the weakest login, at the token's issue time.
      amr: ['pwd'],
      acr: 'aal1',
      auth_time: payload.iat,
      roles: ['admin'],
    });
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('carries amr, acr and auth_time, and refuses malformed ones', () => {
    const payload = claims({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' });
    const iat = Number(payload.iat);
    expect(toVerifiedAccessToken({ ...payload, auth_time: iat - 100 }, policy())).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2', auth_time: iat - 100 });
    for (const bad of [{ amr: 'pwd' }, { amr: [1] }, { acr: 'aal3' }, { auth_time: 'yesterday' }, { auth_time: iat + 10 }]) {
      expect(refusal({ ...payload, ...bad })).toMatchObject({ code: 'TOKEN_INVALID' });
    }
  });

  it('roles: absent means none, unknown names grant nothing, any other shape is invalid', () => {
    expect(toVerifiedAccessToken(claims({}), policy()).roles).toEqual([]);
    expect(toVerifiedAccessToken(claims({ roles: ['root', 'moderator', 'moderator'] }), policy()).roles).toEqual(['moderator']);
    for (const roles of ['admin', { admin: true }, null, Array.from({ length: 17 }, () => 'admin')]) {
      expect(refusal(claims({ roles }))).toMatchObject({ code: 'TOKEN_INVALID', message: 'token roles claim is invalid' });
    }
  });

  it('refuses an audience array, even one holding only ours', () => {
    for (const aud of [[AUDIENCE], [AUDIENCE, 'billing'], 'billing', undefined]) {
      const err = refusal(claims({ aud }));
      expect(err).toMatchObject({ code: 'TOKEN_INVALID', message: 'token audience is invalid' });
    }
  });

  it('refuses any issuer but the exact one', () => {
    for (const iss of [`${ISSUER}/`, 'https://evil.example', undefined]) {
      expect(refusal(claims({ iss }))).toMatchObject({ code: 'TOKEN_INVALID', message: 'token issuer is invalid' });
    }
  });

  it.each(['sub', 'sid', 'jti'] as const)('refuses an unusable %s identifier', (name) => {
    for (const value of [undefined, 42, '', 'a}b', 'a{b', 'a\u0000b', 'x'.repeat(257)]) {
      const err = refusal(claims({ [name]: value }));
      expect(err).toMatchObject({ code: 'TOKEN_INVALID', message: `token ${name} claim is invalid` });
    }
  });

  it.each(['email', 'username'] as const)('refuses a non-string %s', (name) => {
    for (const value of [undefined, 42, ['ada'], null]) {
      const err = refusal(claims({ [name]: value }));
      expect(err).toMatchObject({ code: 'TOKEN_INVALID', message: `token ${name} claim is invalid` });
    }
  });

  it.each(['iat', 'exp'] as const)('refuses a non-numeric or non-finite %s', (name) => {
    for (const value of [undefined, '1700000000', Number.NaN, Number.POSITIVE_INFINITY, null]) {
      const err = refusal(claims({ [name]: value }));
      expect(err).toMatchObject({ code: 'TOKEN_INVALID', message: `token ${name} claim is invalid` });
    }
  });
});

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

describe('claim bounds, at their edges', () => {
  const accepted = (payload: JWTPayload) => toVerifiedAccessToken(payload, policy());

  it('client_id up to 255 characters', () => {
    expect(accepted(claims({ client_id: 'c'.repeat(255) })).client_id).toHaveLength(255);
    expect(refusal(claims({ client_id: 'c'.repeat(256) }))).toMatchObject({ message: 'token client_id claim is invalid' });
  });

  it('up to 16 roles', () => {
    expect(accepted(claims({ roles: Array.from({ length: 16 }, () => 'admin') })).roles).toEqual(['admin']);
  });

  it('iat and exp must be finite numbers', () => {
    for (const name of ['iat', 'exp'] as const) {
      for (const value of ['1', Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(refusal(claims({ [name]: value })), `${name} ${String(value)}`).toMatchObject({ message: `token ${name} claim is invalid` });
      }
    }
  });

  it('iat up to the allowed skew ahead of now', () => {
    const { nowSec, maxIatSkewSec } = policy();
    expect(accepted(claims({ iat: nowSec + maxIatSkewSec })).iat).toBe(nowSec + maxIatSkewSec);
    expect(refusal(claims({ iat: nowSec + maxIatSkewSec + 5 }))).toMatchObject({ message: 'token iat is in the future' });
  });

  it('amr: up to 8 method names of up to 16 characters', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `m${i}`);
    expect(accepted(claims({ amr: eight })).amr).toEqual(eight);
    expect(accepted(claims({ amr: ['m'.repeat(16)] })).amr).toEqual(['m'.repeat(16)]);
    for (const amr of [[...eight, 'm8'], ['m'.repeat(17)], ['pwd', 1], [['otp']]]) {
      expect(refusal(claims({ amr })), JSON.stringify(amr)).toMatchObject({ message: 'token amr claim is invalid' });
    }
  });

  it('acr: aal1 or aal2 only', () => {
    expect(accepted(claims({ acr: 'aal1' })).acr).toBe('aal1');
    expect(accepted(claims({ acr: 'aal2' })).acr).toBe('aal2');
    expect(refusal(claims({ acr: 'aal3' }))).toMatchObject({ message: 'token acr claim is invalid' });
  });

  it('auth_time: a finite number not after iat', () => {
    const payload = claims({});
    const iat = Number(payload.iat);
    expect(accepted({ ...payload, auth_time: iat }).auth_time).toBe(iat);
    for (const authTime of [iat + 1, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(refusal({ ...payload, auth_time: authTime }), String(authTime)).toMatchObject({ message: 'token auth_time claim is invalid' });
    }
  });
});

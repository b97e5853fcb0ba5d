import type { JWTPayload } from 'jose';
import { TokenVerificationError } from './errors.js';
import { isRole } from './permissions.js';
import type { Role } from './permissions.js';
import { isValidRevocationId } from './revocation-layout.js';
import type { VerifiedAccessToken } from './types.js';

/** Claims jose must find present before we look at their types below. */
export const REQUIRED_CLAIMS: readonly string[] = [
  'iss',
  'aud',
  'sub',
  'client_id',
  'sid',
  'jti',
  'iat',
  'exp',
  'email',
  'username',
];

function invalid(message: string): TokenVerificationError {
  return new TokenVerificationError('TOKEN_INVALID', message);
}

/**
 * Identifiers end up in Redis keys (`revoked:{u:<sub>}:<sid>`), logs and database queries.
 * Refusing empty, oversized, control-character or brace-containing values keeps them from
 * splitting log lines or from colliding with another user's key / hash slot.
 */
function identifier(payload: JWTPayload, name: 'sub' | 'sid' | 'jti'): string {
  const value = payload[name];
  if (!isValidRevocationId(value)) throw invalid(`token ${name} claim is invalid`);
  return value;
}

function text(payload: JWTPayload, name: 'email' | 'username'): string {
  const value = payload[name];
  if (typeof value !== 'string') throw invalid(`token ${name} claim is invalid`);
  return value;
}

/** RFC 9068 §2.2: the client the token was issued to. Required, a non-empty string. */
function clientId(payload: JWTPayload): string {
  const value = payload.client_id;
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) throw invalid('token client_id claim is invalid');
  return value;
}

/**
 * `roles`: an array of role names. Absent means none (tokens minted before roles existed); a
 * name this verifier does not know grants nothing (least privilege), any other shape is invalid.
 */
function roles(payload: JWTPayload): readonly Role[] {
  const value = payload.roles;
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || value.length > 16) throw invalid('token roles claim is invalid');
  return Object.freeze([...new Set(value.filter(isRole))]);
}

function numericDate(payload: JWTPayload, name: 'iat' | 'exp'): number {
  const value = payload[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`token ${name} claim is invalid`);
  return value;
}

/**
 * How the login behind the token was made. Tokens minted before these claims existed (they
 * live 15 minutes) read as a password login at `iat`: never stronger than they were.
 */
function assurance(payload: JWTPayload, iat: number): { amr: readonly string[]; acr: 'aal1' | 'aal2'; auth_time: number } {
  const { amr, acr, auth_time: authTime } = payload;
  if (amr !== undefined && !(Array.isArray(amr) && amr.length <= 8 && amr.every((m) => typeof m === 'string' && m.length <= 16))) {
    throw invalid('token amr claim is invalid');
  }
  if (acr !== undefined && acr !== 'aal1' && acr !== 'aal2') throw invalid('token acr claim is invalid');
  if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime) || authTime > iat)) {
    throw invalid('token auth_time claim is invalid');
  }
  return {
    amr: Object.freeze([...((amr as string[] | undefined) ?? ['pwd'])]),
    acr: acr ?? 'aal1',
    auth_time: authTime ?? iat,
  };
}

/**
 * Runs after jose checked signature, issuer, audience membership, typ, exp and nbf. Adds the
 * type checks jose leaves to the application and returns a frozen, minimal claims object
 * (unknown claims are dropped so callers cannot start depending on unvetted data).
 */
export function toVerifiedAccessToken(
  payload: JWTPayload,
  policy: { issuer: string; audience: string; maxIatSkewSec: number; nowSec: number },
): VerifiedAccessToken {
  const { issuer, audience } = policy;
  // jose accepts an array `aud` containing ours; we want exactly one audience so a token
  // minted for several services cannot be replayed between them.
  if (payload.aud !== audience) throw invalid('token audience is invalid');
  if (payload.iss !== issuer) throw invalid('token issuer is invalid');
  const iat = numericDate(payload, 'iat');
  // jose checks iat only against a maximum age. A token "issued" in the future comes from a
  // signer with a broken clock or was minted ahead of time to outlive a key rotation or a
  // revocation cut-off: beyond normal clock skew between machines it is refused.
  if (iat > policy.nowSec + policy.maxIatSkewSec) throw invalid('token iat is in the future');
  return Object.freeze({
    iss: issuer,
    aud: audience,
    sub: identifier(payload, 'sub'),
    client_id: clientId(payload),
    sid: identifier(payload, 'sid'),
    jti: identifier(payload, 'jti'),
    iat,
    exp: numericDate(payload, 'exp'),
    email: text(payload, 'email'),
    username: text(payload, 'username'),
    ...assurance(payload, iat),
    roles: roles(payload),
  });
}

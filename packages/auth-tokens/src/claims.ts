import type { JWTPayload } from 'jose';
import { TokenVerificationError } from './errors.js';
import { isValidRevocationId } from './revocation-layout.js';
import type { VerifiedAccessToken } from './types.js';

/** Claims jose must find present before we look at their types below. */
export const REQUIRED_CLAIMS: readonly string[] = [
  'iss',
  'aud',
  'sub',
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

function numericDate(payload: JWTPayload, name: 'iat' | 'exp'): number {
  const value = payload[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`token ${name} claim is invalid`);
  return value;
}

/**
 * Runs after jose checked signature, issuer, audience membership, typ, exp and nbf. Adds the
 * type checks jose leaves to the application and returns a frozen, minimal claims object
 * (unknown claims are dropped so callers cannot start depending on unvetted data).
 */
export function toVerifiedAccessToken(payload: JWTPayload, issuer: string, audience: string): VerifiedAccessToken {
  // jose accepts an array `aud` containing ours; we want exactly one audience so a token
  // minted for several services cannot be replayed between them.
  if (payload.aud !== audience) throw invalid('token audience is invalid');
  if (payload.iss !== issuer) throw invalid('token issuer is invalid');
  return Object.freeze({
    iss: issuer,
    aud: audience,
    sub: identifier(payload, 'sub'),
    sid: identifier(payload, 'sid'),
    jti: identifier(payload, 'jti'),
    iat: numericDate(payload, 'iat'),
    exp: numericDate(payload, 'exp'),
    email: text(payload, 'email'),
    username: text(payload, 'username'),
  });
}

import { z } from 'zod';

/**
 * The pub/sub channel (before the deployment's key prefix) on which the auth-service announces
 * revoked sessions and every verifying service listens.
 */
export const REVOCATION_CHANNEL = 'revocations';

const MAX_ID_LENGTH = 256;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * A `}` in the user id would end a Redis hash tag early and let `(user "a}:x", session "y")` and
 * `(user "a", session "x}:y")` share one key; braces and control characters are refused in
 * both parts so every (user, session) pair maps to exactly one key.
 */
export function isValidRevocationId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !CONTROL_CHARS.test(value) &&
    !value.includes('{') &&
    !value.includes('}')
  );
}

const revocationId = z.custom<string>(isValidRevocationId);

/**
 * One message on the revocation channel: `exp` (epoch seconds) is when the revocation no longer
 * matters, because every access token of the session has expired by then.
 */
export const revocationMessageSchema = z.object({
  sub: revocationId,
  sid: revocationId,
  exp: z.number().refine(Number.isFinite),
});

export interface RevocationMessage {
  readonly sub: string;
  readonly sid: string;
  readonly exp: number;
}

/**
 * A user's not-before marker on the same channel: every access token of `sub` issued (`iat`)
 * before `nbf` (epoch seconds) is refused, until `exp`. Sent when the user's roles change or the
 * user is disabled. Strict, so a session revocation (which carries `sid`) never reads as one.
 */
export const notBeforeMessageSchema = z
  .object({ sub: revocationId, nbf: z.number().refine(Number.isFinite), exp: z.number().refine(Number.isFinite) })
  .strict();

export interface NotBeforeMessage {
  readonly sub: string;
  readonly nbf: number;
  readonly exp: number;
}

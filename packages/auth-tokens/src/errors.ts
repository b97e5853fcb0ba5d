/**
 * Why a token was refused. Callers map these to HTTP answers:
 * TOKEN_EXPIRED / TOKEN_INVALID / TOKEN_REVOKED → 401, DEPENDENCY_UNAVAILABLE → 503.
 */
export type TokenVerificationErrorCode =
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'TOKEN_REVOKED'
  | 'DEPENDENCY_UNAVAILABLE';

/**
 * The only error `verify()` throws. Messages are fixed strings chosen here and never contain
 * token contents, claims or key material, so they are safe to log and to return to clients.
 * The underlying library error (if any) is kept as `cause` for server-side diagnostics only.
 */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  readonly code: TokenVerificationErrorCode;

  constructor(code: TokenVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Thrown by a RevocationChecker that cannot give a trustworthy answer (Redis unreachable,
 * subscription interrupted and no confirmation possible). The verifier turns any checker
 * failure into DEPENDENCY_UNAVAILABLE: unknown revocation state must never be read as "valid".
 */
export class RevocationUnavailableError extends Error {
  override readonly name = 'RevocationUnavailableError';
}

import { z } from 'zod';

/**
 * The one catalogue of error codes both services answer with. Codes are stable API: clients
 * switch on them, so a code is never renamed or reused for another meaning.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request body could not be parsed' },
  TOKEN_INVALID_INPUT: { status: 400, title: 'The token is invalid or has expired' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, title: 'The credentials are not valid' },
  TOKEN_EXPIRED: { status: 401, title: 'The access token has expired' },
  TOKEN_INVALID: { status: 401, title: 'The access token is not valid' },
  TOKEN_REVOKED: { status: 401, title: 'The access token has been revoked' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'The refresh token is not valid' },
  REFRESH_TOKEN_REUSED: { status: 401, title: 'The refresh token was already used; the session is revoked' },
  MFA_CODE_INVALID: { status: 401, title: 'The second-factor code is not valid' },
  MFA_CODE_INVALID_INPUT: { status: 400, title: 'The second-factor code is not valid' },
  MFA_TOKEN_INVALID: { status: 401, title: 'The MFA token is invalid, used or expired; log in again' },
  PASSKEY_INVALID: { status: 401, title: 'The passkey could not be verified' },
  PASSKEY_INVALID_INPUT: { status: 400, title: 'The passkey could not be verified' },
  FORBIDDEN: { status: 403, title: 'This action is not allowed' },
  ACCOUNT_DISABLED: { status: 403, title: 'The account is disabled' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'The email address is not verified' },
  STEP_UP_REQUIRED: { status: 403, title: 'A recent strong login (aal2) is required for this action' },
  REMOVED_FROM_MEETING: { status: 403, title: 'You were removed from this meeting' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed on this resource' },
  NOT_ACCEPTABLE: { status: 406, title: 'No acceptable representation' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  EMAIL_TAKEN: { status: 409, title: 'The email address is already registered' },
  USERNAME_TAKEN: { status: 409, title: 'The username is already taken' },
  MFA_ALREADY_ENABLED: { status: 409, title: 'Multi-factor authentication is already on' },
  MFA_NOT_ENABLED: { status: 409, title: 'Multi-factor authentication is not on' },
  MEETING_ENDED: { status: 409, title: 'The meeting has ended' },
  MEETING_FULL: { status: 409, title: 'The meeting is full' },
  HOST_CANNOT_LEAVE: { status: 409, title: 'The host cannot leave the meeting' },
  LAST_ADMIN: { status: 409, title: 'The last admin cannot lose the admin role' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request content type is not supported' },
  IMAGE_INVALID: { status: 422, title: 'The image cannot be decoded or is too large' },
  REQUEST_HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'An unexpected error occurred' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/**
 * Some codes are shared by two statuses in the contract: `TOKEN_INVALID` is a 401 for an
 * access token but a 400 for a one-time token in a body (reset, verify, exchange). The
 * catalogue keeps one row per status; `publicCode` maps the row back to the wire code.
 */
const wireCode: Partial<Record<ErrorCode, string>> = {
  TOKEN_INVALID_INPUT: 'TOKEN_INVALID',
  MFA_CODE_INVALID_INPUT: 'MFA_CODE_INVALID',
  PASSKEY_INVALID_INPUT: 'PASSKEY_INVALID',
};
export function publicCode(code: ErrorCode): string {
  return wireCode[code] ?? code;
}

export interface FieldError {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** Seconds, sent as `Retry-After` (429, 503). */
  retryAfter?: number;
  /** Extra problem members, e.g. which readiness checks failed. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ?? errorCatalogue[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions;
  }
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum([...new Set(errorCodes.map(publicCode))] as [string, ...string[]]),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;

export function problemType(code: ErrorCode): string {
  return `urn:authmeet:problem:${publicCode(code).toLowerCase().replaceAll('_', '-')}`;
}

/** Response-schema entries for the error statuses a route can answer. */
export function problemResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number], typeof problemSchema> {
  const out: Record<number, typeof problemSchema> = {};
  for (const s of statuses) out[s] = problemSchema;
  return out as Record<S[number], typeof problemSchema>;
}

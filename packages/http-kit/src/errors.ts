import { z } from 'zod';

/**
 * One row of an error catalogue. Codes are stable API: clients switch on them, so a code is
 * never renamed or reused for another meaning.
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly title: string;
  /**
   * The code on the wire when it differs from the catalogue key. Some codes are shared by two
   * statuses in the contract (`TOKEN_INVALID` is a 401 for an access token but a 400 for a
   * one-time token in a body); the catalogue keeps one row per status.
   */
  readonly wireCode?: string;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorDefinition>>;

/**
 * The codes every service answers with: malformed or refused requests, the access-token and
 * service-key errors of `bearerAuth` and `serviceKeyGuard`, limits, timeouts and outages. A
 * service's own codes live in its `src/errors.ts` (`defineErrors`), never here.
 */
export const genericErrors = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request body could not be parsed' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  TOKEN_EXPIRED: { status: 401, title: 'The access token has expired' },
  TOKEN_INVALID: { status: 401, title: 'The access token is not valid' },
  TOKEN_REVOKED: { status: 401, title: 'The access token has been revoked' },
  FORBIDDEN: { status: 403, title: 'This action is not allowed' },
  // A token or login whose user is disabled: every service that admits users answers it.
  ACCOUNT_DISABLED: { status: 403, title: 'The account is disabled' },
  // Raised by @authmeet/auth-tokens' requireAal2Within in any service that guards an action by it.
  STEP_UP_REQUIRED: { status: 403, title: 'A recent strong login (aal2) is required for this action' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed on this resource' },
  NOT_ACCEPTABLE: { status: 406, title: 'No acceptable representation' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request content type is not supported' },
  REQUEST_HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'An unexpected error occurred' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable' },
} as const satisfies ErrorCatalogue;

export type GenericErrorCode = keyof typeof genericErrors;

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

/**
 * An error answered as an RFC 9457 problem. Generic codes take no definition
 * (`new AppError('NOT_FOUND')`); a service's own codes come from the typed constructor its
 * catalogue returns (`defineErrors(...).appError('MEETING_FULL')`).
 */
export class AppError extends Error {
  readonly code: string;
  /** The code sent to clients (`code` unless the catalogue row names another). */
  readonly publicCode: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: GenericErrorCode, options?: AppErrorOptions);
  constructor(code: string, options: AppErrorOptions, definition: ErrorDefinition);
  constructor(code: string, options: AppErrorOptions = {}, definition?: ErrorDefinition) {
    const row: ErrorDefinition = definition ?? genericErrors[code as GenericErrorCode];
    super(options.detail ?? row.title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.publicCode = row.wireCode ?? code;
    this.status = row.status;
    this.title = row.title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions;
  }
}

/** A service's own codes must not shadow a generic one. */
type DomainCatalogue<D> = { readonly [K in keyof D]: K extends GenericErrorCode ? never : ErrorDefinition };

/**
 * A service's error catalogue: its own codes merged with the generic ones. The result is the
 * one list of every code the service answers (its OpenAPI document is built from `catalogue`)
 * and `appError(code, options)` raises any of them, typed by the merged union.
 */
export function defineErrors<const D extends DomainCatalogue<D>>(domain: D) {
  const catalogue: typeof genericErrors & D = { ...genericErrors, ...domain };
  type Code = keyof typeof catalogue & string;
  return {
    catalogue,
    appError(code: Code, options: AppErrorOptions = {}): AppError {
      return new AppError(code, options, catalogue[code]);
    },
    /** The codes a route answers, for its schema's `errors` (typed: a misspelt code does not compile). */
    errorCodes(...codes: Code[]): readonly Code[] {
      return codes;
    },
    /** The code a client sees for `code` (for answers that are not problem documents). */
    publicCode(code: Code): string {
      const row: ErrorDefinition = catalogue[code];
      return row.wireCode ?? code;
    },
  };
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    // The codes a service answers are listed in its document (docs plugin, from its catalogue).
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;

/** The problem `type` URI for a public code. */
export function problemType(publicCode: string): string {
  return `urn:authmeet:problem:${publicCode.toLowerCase().replaceAll('_', '-')}`;
}

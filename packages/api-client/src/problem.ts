/** An RFC 9457 problem as both services send it (`application/problem+json`). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** A refused request of the session manager's own calls (login, refresh, logout...). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(problem ? `${problem.code}: ${problem.title ?? ''}`.trim() : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code ?? `HTTP_${status}`;
    this.problem = problem;
  }
}

/** The problem in a response, read from a clone so the response itself stays readable. */
export async function problemOf(response: Response): Promise<Problem | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/(problem\+)?json/i.test(type)) return undefined;
  try {
    const body = (await response.clone().json()) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const code = (body as { code?: unknown }).code;
    return typeof code === 'string' ? { ...(body as Problem), status: response.status } : undefined;
  } catch {
    return undefined;
  }
}

/** Access-token refusals that a new access token (a refresh) may cure: retried once. */
export const ACCESS_TOKEN_CODES: ReadonlySet<string> = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'SESSION_REVOKED']);

/**
 * Refresh answers that mean the session is over (revoked, reused, expired, account disabled or
 * gone), as opposed to a refresh that merely failed (network, 429, 503) and may be tried again.
 */
export const SESSION_ENDED_CODES: ReadonlySet<string> = new Set([
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'TOKEN_REVOKED',
  'SESSION_REVOKED',
  'ACCOUNT_DISABLED',
  'UNAUTHENTICATED',
]);

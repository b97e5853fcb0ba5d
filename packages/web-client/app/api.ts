// The API as this client sees it: one session manager (cookie mode: the refresh token is an
// HttpOnly cookie no script can read; the access token lives in memory only; one refresh at a
// time across every tab; a request refused as expired is retried once) and the typed clients
// generated from both services' OpenAPI documents, all on the page's origin (the ingress).
import { ApiError, createApiClients, problemOf, SessionManager } from '@authmeet/api-client';
import type { AuthPaths, JsonOf, MeetingsPaths, Problem, User } from '@authmeet/api-client';

export { ApiError };
export type { User };

export type Meeting = JsonOf<MeetingsPaths['/v1/meetings']['post']['responses'][201]>;
export type Participant = JsonOf<MeetingsPaths['/v1/meetings/{id}/participants']['get']['responses'][200]>['items'][number];
export type Passkey = JsonOf<AuthPaths['/v1/auth/passkeys']['get']['responses'][200]>['items'][number];
export type DeviceSession = JsonOf<AuthPaths['/v1/auth/sessions']['get']['responses'][200]>['items'][number];

export const session = new SessionManager({ mode: 'cookie' });
export const { auth, meetings } = createApiClients({ session });

/** What openapi-fetch answers: the data, or the error body with the response. */
interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** The data of a typed call, or an ApiError carrying the problem's code. */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  const { data, error, response } = await call;
  if (response.ok) return data as D;
  // openapi-fetch has read the body already: its parsed error is the problem.
  const problem = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? ({ ...(error as Problem), status: response.status } as Problem) : undefined;
  throw new ApiError(response.status, problem);
}

/**
 * Options of a typed call that send `query` as its query string, as it is: the paged lists build
 * their filters (and the next page's cursor) as `URLSearchParams`. `auth.GET(path, withQuery(q))`.
 */
export const withQuery = (query: URLSearchParams) => ({ querySerializer: () => query.toString() });

/**
 * Any call through the session (for the multipart upload: its `FormData` body does not fit the
 * generated request type): JSON or `FormData` in, JSON out.
 */
export async function call<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const form = init.body instanceof FormData ? init.body : undefined;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined && !form) headers['content-type'] = 'application/json';
  const response = await session.fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: form ?? JSON.stringify(init.body) }),
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/**
 * The user as the session holds it, kept current after a profile change: a fresh `/me`, then a
 * refresh so the session manager (and every tab) carries the new user.
 */
export async function reloadUser(): Promise<User | null> {
  await session.refresh();
  return session.user;
}

import createClient from 'openapi-fetch';
import type { Client, ClientOptions } from 'openapi-fetch';
import type { paths as AuthPaths } from './generated/auth-service.js';
import type { paths as MeetingsPaths } from './generated/meetings-service.js';
import type { SessionManager } from './session.js';

export type { AuthPaths, MeetingsPaths };
export type AuthClient = Client<AuthPaths>;
export type MeetingsClient = Client<MeetingsPaths>;

export interface ApiClientsOptions {
  /**
   * Where both services are: `''` for the page's own origin (the ingress routes `/v1/auth` and
   * `/v1/meetings`), or an absolute URL. Default `''`.
   */
  baseUrl?: string;
  /** The auth-service's own base URL, when it is not `baseUrl`. */
  authBaseUrl?: string;
  /** The meetings-service's own base URL, when it is not `baseUrl`. */
  meetingsBaseUrl?: string;
  /** Sends every request with its access token (refresh and retry included); without one, requests go unauthenticated. */
  session?: SessionManager;
  /** Passed to openapi-fetch (headers, querySerializer, ...). */
  clientOptions?: Omit<ClientOptions, 'baseUrl' | 'fetch'>;
}

export interface ApiClients {
  auth: AuthClient;
  meetings: MeetingsClient;
}

/**
 * Typed clients of both services (openapi-fetch over the types generated from their OpenAPI
 * documents): `auth.GET('/v1/auth/me')`, `meetings.POST('/v1/meetings', { body })`, ...
 */
export function createApiClients(options: ApiClientsOptions = {}): ApiClients {
  const base = options.baseUrl ?? '';
  const session = options.session;
  const shared: ClientOptions = {
    ...options.clientOptions,
    ...(session ? { fetch: (request: Request) => session.fetch(request) } : {}),
  };
  return {
    auth: createClient<AuthPaths>({ ...shared, baseUrl: options.authBaseUrl ?? base }),
    meetings: createClient<MeetingsPaths>({ ...shared, baseUrl: options.meetingsBaseUrl ?? base }),
  };
}

import { directoryPageSchema, directoryUserSchema, internalPaths } from '@authmeet/contracts';
import type { DirectoryPage, DirectoryUser } from '@authmeet/contracts';
import { AppError } from '@authmeet/http-kit';
import { isServiceUnavailableError } from '@authmeet/service-client';
import type { ServiceClient } from '@authmeet/service-client';

/** The auth-service's user directory, as this service sees it. */
export interface UserDirectory {
  /** The user, or null when the auth-service does not know the id. Throws AppError 503 otherwise. */
  fetch(id: string): Promise<DirectoryUser | null>;
  /** One page of users changed after `updatedAfter` (all users when omitted), for reconciliation. */
  list(query: { updatedAfter?: string | undefined; cursor?: string | undefined; limit: number }): Promise<DirectoryPage>;
}

export type { DirectoryPage };

export interface DirectoryLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

const unavailable = (detail: string, retryAfter: number, cause?: unknown) =>
  new AppError('DEPENDENCY_UNAVAILABLE', { detail, retryAfter, cause });

export function createUserDirectory(client: ServiceClient, log: DirectoryLogger): UserDirectory {
  return {
    async fetch(id) {
      let res: Awaited<ReturnType<ServiceClient['request']>>;
      try {
        res = await client.request({ method: 'GET', path: internalPaths.user(id) });
      } catch (error) {
        // Breaker open, network down, timeouts: answered at once with the breaker's hint.
        if (isServiceUnavailableError(error)) throw unavailable('The auth-service is unavailable', error.retryAfterSec, error);
        throw error;
      }
      if (res.status === 404) return null;
      if (res.status === 200) {
        const parsed = directoryUserSchema.safeParse(res.body);
        if (parsed.success && parsed.data.id === id) return parsed.data;
        log.error({ dependency: 'auth-service', userId: id }, 'auth-service sent a user this service cannot read');
        throw unavailable('The auth-service answered unexpectedly', 5);
      }
      // 401/403 mean our service key is wrong: an operator problem, never the caller's.
      log.error({ dependency: 'auth-service', status: res.status }, 'auth-service refused the user lookup');
      throw unavailable('The auth-service refused the lookup', 5);
    },

    async list(query) {
      let res: Awaited<ReturnType<ServiceClient['request']>>;
      try {
        res = await client.request({ method: 'GET', path: internalPaths.users, query });
      } catch (error) {
        if (isServiceUnavailableError(error)) throw unavailable('The auth-service is unavailable', error.retryAfterSec, error);
        throw error;
      }
      const parsed = directoryPageSchema.safeParse(res.body);
      if (res.status !== 200 || !parsed.success) {
        log.error({ dependency: 'auth-service', status: res.status }, 'auth-service refused the user listing');
        throw unavailable('The auth-service refused the listing', 5);
      }
      return parsed.data;
    },
  };
}

/** Used when no AUTH_SERVICE_KEY is configured (development only): unknown users get a 503. */
export const unconfiguredDirectory: UserDirectory = {
  async fetch() {
    throw unavailable('No key is configured for the auth-service', 30);
  },
  async list() {
    throw unavailable('No key is configured for the auth-service', 30);
  },
};

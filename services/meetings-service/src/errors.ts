import { AppError, mapInfrastructureError as mapSharedInfrastructureError } from '@authmeet/http-kit';
import { isServiceUnavailableError } from '@authmeet/service-client';

/**
 * Errors from this service's dependencies that are not the client's fault: the auth-service
 * behind its breaker, then database and Redis failures (shared kit). Never a 500.
 */
export function mapInfrastructureError(error: unknown): AppError | undefined {
  if (isServiceUnavailableError(error)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', { detail: `The ${error.dependency} is unavailable`, retryAfter: error.retryAfterSec, cause: error });
  }
  return mapSharedInfrastructureError(error);
}

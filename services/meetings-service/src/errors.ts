import { AppError, defineErrors, mapInfrastructureError as mapSharedInfrastructureError } from '@authmeet/http-kit';
import { isServiceUnavailableError } from '@authmeet/service-client';

/**
 * Every error code the meetings-service answers: http-kit's generic codes merged with its own
 * (meeting rules and membership). A new code is added here, with its status and title, and raised
 * with `appError('CODE')`.
 */
export const { catalogue: errorCatalogue, appError, errorCodes } = defineErrors({
  REMOVED_FROM_MEETING: { status: 403, title: 'You were removed from this meeting' },
  MEETING_ENDED: { status: 409, title: 'The meeting has ended' },
  MEETING_FULL: { status: 409, title: 'The meeting is full' },
  HOST_CANNOT_LEAVE: { status: 409, title: 'The host cannot leave the meeting' },
});

export type ErrorCode = keyof typeof errorCatalogue;

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

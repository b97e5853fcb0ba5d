/**
 * Errors from this service's dependencies that are not the client's fault become a 503, never a
 * 500. Database and Redis failures are mapped by the shared kit; a service-specific translation
 * would wrap it here (as the meetings-service does for its auth-service client).
 */
export { mapInfrastructureError } from '@authmeet/http-kit';

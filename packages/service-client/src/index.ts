export { createServiceClient } from './client.js';
export { ServiceUnavailableError, isServiceUnavailableError } from './errors.js';
export type { UnavailableReason } from './errors.js';
export type {
  BreakerOptions,
  BreakerState,
  HttpMethod,
  QueryValue,
  RetryOptions,
  ServiceClient,
  ServiceClientLogger,
  ServiceClientOptions,
  ServiceRequest,
  ServiceResponse,
} from './types.js';

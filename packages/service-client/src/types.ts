import type { Registry } from 'prom-client';

/** pino-compatible subset, so any structured logger fits. */
export interface ServiceClientLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface RetryOptions {
  /** Extra attempts after the first one (0 = no retry). */
  retries: number;
  /** First backoff delay; doubles each retry, multiplied by a random factor in [1, 2). */
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export interface BreakerOptions {
  /** Failure percentage within the rolling window at which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls the rolling window must have seen before it may open. */
  volumeThreshold: number;
  /** How long the breaker stays open before letting one probe through (half-open). */
  resetTimeoutMs: number;
  /** Deadline for one whole call, retries included; past it the call fails and counts as a failure. */
  timeoutMs: number;
  /** Length of the rolling statistics window. Default 10000. */
  rollingCountTimeoutMs?: number;
}

export interface ServiceClientOptions {
  /** e.g. `http://auth-service:5001`; paths are appended to it. */
  baseUrl: string;
  /** Sent as `X-Service-Key`. */
  serviceKey: string;
  /** Dependency name for logs and metric labels, e.g. `auth-service`. */
  name: string;
  /** Deadline for one HTTP attempt. */
  timeoutMs: number;
  retry: RetryOptions;
  breaker: BreakerOptions;
  logger?: ServiceClientLogger;
  /** Registry to add breaker, request and retry metrics to. */
  metrics?: Registry;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface ServiceRequest {
  method: HttpMethod;
  /** Path below baseUrl, starting with `/`. Callers encode path segments themselves. */
  path: string;
  body?: unknown;
  query?: Record<string, QueryValue>;
}

export interface ServiceResponse<T> {
  status: number;
  /** Parsed JSON, or undefined for an empty body. Not validated: the caller parses it. */
  body: T;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface ServiceClient {
  /**
   * Resolves with every answer below 500 (a 404 is an answer, not a failure); rejects only with
   * ServiceUnavailableError (breaker open, network error, timeout, or a 5xx after retries).
   */
  request<T = unknown>(req: ServiceRequest): Promise<ServiceResponse<T>>;
  breakerState(): BreakerState;
  /** Stops the breaker's timers; later calls fail with ServiceUnavailableError. */
  close(): void;
}

import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import { attempt, buildUrl } from './attempt.js';
import { ServiceUnavailableError, TransientError, UpstreamError } from './errors.js';
import { createClientMetrics } from './metrics.js';
import type {
  BreakerState,
  ServiceClient,
  ServiceClientOptions,
  ServiceRequest,
  ServiceResponse,
} from './types.js';

/** opossum's own rejections: open (or half-open with the probe in flight), shut down, over capacity. */
const REJECTION_CODES = new Set(['EOPENBREAKER', 'ESHUTDOWN', 'ESEMLOCKED']);

function requirePositive(value: number, name: string, min = 1): number {
  if (!Number.isFinite(value) || value < min) throw new TypeError(`${name} must be a number >= ${min}`);
  return value;
}

function validate(options: ServiceClientOptions): void {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be http(s)');
  if (options.serviceKey.length === 0) throw new TypeError('serviceKey must not be empty');
  if (options.name.length === 0) throw new TypeError('name must not be empty');
  requirePositive(options.timeoutMs, 'timeoutMs');
  if (!Number.isInteger(options.retry.retries) || options.retry.retries < 0) {
    throw new TypeError('retry.retries must be a non-negative integer');
  }
  requirePositive(options.retry.minTimeoutMs, 'retry.minTimeoutMs');
  requirePositive(options.retry.maxTimeoutMs, 'retry.maxTimeoutMs', options.retry.minTimeoutMs);
  requirePositive(options.breaker.resetTimeoutMs, 'breaker.resetTimeoutMs');
  requirePositive(options.breaker.timeoutMs, 'breaker.timeoutMs');
  requirePositive(options.breaker.errorThresholdPercentage, 'breaker.errorThresholdPercentage', 0);
  requirePositive(options.breaker.volumeThreshold, 'breaker.volumeThreshold', 0);
}

/**
 * HTTP client for one internal dependency. Each call is one opossum CircuitBreaker firing a
 * p-retry loop around single `fetch` attempts:
 *
 *   breaker ─► retry loop (exponential backoff with jitter) ─► fetch with a per-attempt timeout
 *
 * Only failures another attempt may fix are retried (network errors, timeouts, 502/503/504),
 * and only exhausted retries and other 5xx count against the breaker. Answers below 500 are
 * returned as values: a 404 is information, and must never open the breaker. While the breaker
 * is open nothing is sent; calls fail at once with ServiceUnavailableError, so a dead
 * dependency costs callers no latency and gets no load while it recovers.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  validate(options);
  const { name, logger } = options;
  const metrics = createClientMetrics(options.metrics, name);
  const headers = {
    'x-service-key': options.serviceKey,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  let openedAt = 0;

  const action = async (req: ServiceRequest): Promise<ServiceResponse<unknown>> => {
    // The whole call's deadline also cancels the attempt in flight and the backoff wait.
    const deadline = AbortSignal.timeout(options.breaker.timeoutMs);
    const url = buildUrl(options.baseUrl, req);
    return pRetry(() => attempt(req, { url, headers, timeoutMs: options.timeoutMs, deadline }), {
      retries: options.retry.retries,
      minTimeout: options.retry.minTimeoutMs,
      maxTimeout: options.retry.maxTimeoutMs,
      factor: 2,
      // Jitter keeps many callers that failed together from retrying in lockstep.
      randomize: true,
      signal: deadline,
      unref: true,
      shouldRetry: ({ error }) => {
        const retry = error instanceof TransientError;
        if (retry) metrics.retry();
        return retry;
      },
    });
  };

  const breaker = new CircuitBreaker<[ServiceRequest], ServiceResponse<unknown>>(action, {
    name,
    timeout: options.breaker.timeoutMs,
    resetTimeout: options.breaker.resetTimeoutMs,
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    volumeThreshold: options.breaker.volumeThreshold,
    rollingCountTimeout: options.breaker.rollingCountTimeoutMs ?? 10_000,
  });

  const stateOf = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed');
  const changed = (state: BreakerState) => {
    metrics.breakerState(state);
    const log = state === 'open' ? logger?.warn : logger?.info;
    log?.call(logger, { dependency: name, state }, 'circuit breaker state changed');
  };
  breaker.on('open', () => {
    openedAt = Date.now();
    changed('open');
  });
  breaker.on('halfOpen', () => changed('halfOpen'));
  breaker.on('close', () => changed('closed'));
  metrics.breakerState('closed');

  function toUnavailable(error: unknown): ServiceUnavailableError {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REJECTION_CODES.has(code)) {
      metrics.request('rejected');
      const remainingMs = breaker.opened ? openedAt + options.breaker.resetTimeoutMs - Date.now() : 1000;
      return new ServiceUnavailableError(name, 'circuit-open', { retryAfterSec: remainingMs / 1000, cause: error });
    }
    metrics.request('failure');
    if (error instanceof TransientError) {
      return new ServiceUnavailableError(name, error.reason, { cause: error, ...(error.status ? { status: error.status } : {}) });
    }
    if (error instanceof UpstreamError) return new ServiceUnavailableError(name, 'bad-status', { status: error.status, cause: error });
    const timedOut = code === 'ETIMEDOUT' || (error instanceof Error && error.name === 'TimeoutError');
    return new ServiceUnavailableError(name, timedOut ? 'timeout' : 'network', { cause: error });
  }

  return {
    async request<T = unknown>(req: ServiceRequest): Promise<ServiceResponse<T>> {
      let response: ServiceResponse<unknown>;
      try {
        response = await breaker.fire(req);
      } catch (error) {
        throw toUnavailable(error);
      }
      metrics.request(response.status >= 400 ? 'client_error' : 'success');
      return response as ServiceResponse<T>;
    },
    breakerState: stateOf,
    close() {
      breaker.shutdown();
    },
  };
}

/** Why a call to a dependency produced no answer. */
export type UnavailableReason = 'circuit-open' | 'network' | 'timeout' | 'bad-status';

/**
 * The only error `request()` throws. Every flavour means the same thing to a caller: the
 * dependency gave no usable answer, so answer 503 `DEPENDENCY_UNAVAILABLE` with `Retry-After`
 * (or, for a relay, try again later). 4xx answers are never errors: they are returned.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  readonly code = 'DEPENDENCY_UNAVAILABLE' as const;
  readonly dependency: string;
  readonly reason: UnavailableReason;
  /** Seconds after which a retry has a chance: the breaker's remaining open time, else 1. */
  readonly retryAfterSec: number;
  /** The last upstream status, for `bad-status`. */
  readonly status: number | undefined;

  constructor(
    dependency: string,
    reason: UnavailableReason,
    options: { retryAfterSec?: number; status?: number; cause?: unknown } = {},
  ) {
    super(`${dependency} unavailable (${reason}${options.status === undefined ? '' : ` ${options.status}`})`, {
      cause: options.cause,
    });
    this.dependency = dependency;
    this.reason = reason;
    this.retryAfterSec = Math.max(1, Math.ceil(options.retryAfterSec ?? 1));
    this.status = options.status;
  }
}

export function isServiceUnavailableError(error: unknown): error is ServiceUnavailableError {
  return error instanceof ServiceUnavailableError;
}

/**
 * One attempt failed in a way another attempt may fix (connection refused or reset, timeout,
 * 502/503/504). Internal: p-retry retries these and the breaker counts the final one.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly reason: 'network' | 'timeout' | 'bad-status',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`transient ${reason}${status === undefined ? '' : ` ${status}`}`, options);
  }
}

/** The dependency answered with a server error that retrying will not fix (500, 501, ...). */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

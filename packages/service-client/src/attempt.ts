import { REQUEST_ID_HEADER, currentRequestId } from '@authmeet/telemetry';
import { AbortError } from 'p-retry';
import { TransientError, UpstreamError } from './errors.js';
import type { ServiceRequest, ServiceResponse } from './types.js';

/** Statuses that say "not now" rather than "no": a gateway or an overloaded instance. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export interface AttemptOptions {
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborted when the whole call's deadline passes, so no attempt outlives it. */
  deadline: AbortSignal;
}

export function buildUrl(baseUrl: string, req: ServiceRequest): URL {
  const url = new URL(baseUrl.replace(/\/+$/, '') + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * One HTTP exchange. Resolves for every status below 500; throws TransientError for what a
 * retry may fix and p-retry's AbortError (no retry) for a 5xx that it will not.
 */
export async function attempt<T>(req: ServiceRequest, opts: AttemptOptions): Promise<ServiceResponse<T>> {
  const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.deadline]);
  let response: Response;
  let body: unknown;
  try {
    // The request id of the operation this call serves, so both services' logs share it. The
    // W3C `traceparent` is added to every fetch by the tracing preload's undici instrumentation
    // (with the attempt's own client span as parent); adding it here too would send it twice.
    const requestId = currentRequestId();
    response = await fetch(opts.url, {
      method: req.method,
      headers: requestId === undefined ? opts.headers : { ...opts.headers, [REQUEST_ID_HEADER]: requestId },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal,
      // A service answers, it does not send us elsewhere: a redirect is returned as is.
      redirect: 'manual',
    });
    body = await readBody(response);
  } catch (error) {
    throw new TransientError(isTimeout(error) ? 'timeout' : 'network', undefined, { cause: error });
  }
  if (RETRYABLE_STATUSES.has(response.status)) throw new TransientError('bad-status', response.status);
  if (response.status >= 500) throw new AbortError(new UpstreamError(response.status));
  return { status: response.status, body: body as T };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * What one operation hands on to work done for it elsewhere or later: the W3C trace context
 * (`traceparent`, `tracestate`) when tracing is on, and the request id (`x-request-id`) always.
 */
export type TraceCarrier = Record<string, string>;

export const REQUEST_ID_HEADER = 'x-request-id';

/** Who is on the other end of a request: its client address (after TRUST_PROXY) and user agent. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent: string | null;
}

interface RequestScope {
  readonly id: string;
  /** Read only when asked for (an audit event), not for every request. */
  readonly origin?: (() => RequestOrigin) | undefined;
}

const requests = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `fn` (and everything it starts) with `id` as the current request id and, for a request
 * served here, `origin` as the way to learn who sent it.
 */
export function runWithRequestId<T>(id: string, fn: () => T, origin?: () => RequestOrigin): T {
  return requests.run({ id, origin }, fn);
}

export function currentRequestId(): string | undefined {
  return requests.getStore()?.id;
}

/** The origin of the request being served; undefined outside one (operator commands, workers). */
export function currentRequestOrigin(): RequestOrigin | undefined {
  return requests.getStore()?.origin?.();
}

/**
 * The context of the running operation, to store beside work done later (an outbox row).
 * Without a registered SDK the API's propagator is a no-op, so with tracing off this costs a
 * function call and the request id lookup.
 */
export function currentTraceContext(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  const requestId = currentRequestId();
  if (requestId !== undefined) carrier[REQUEST_ID_HEADER] = requestId;
  return Object.keys(carrier).length === 0 ? undefined : carrier;
}

const tracer = trace.getTracer('@authmeet/telemetry');

/**
 * Runs `fn` in a span that continues the stored `carrier` (a child of the span that wrote it),
 * with its request id current, so work done later (the relay delivering an outbox row) joins
 * the original request's trace and logs. Without a carrier it starts a new trace; with tracing
 * off the span is a no-op.
 */
export async function runInTraceContext<T>(
  carrier: TraceCarrier | null | undefined,
  name: string,
  attributes: Record<string, string | number>,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  const run = () =>
    tracer.startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent, async (span) => {
      try {
        return await fn();
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  const requestId = carrier?.[REQUEST_ID_HEADER];
  return requestId === undefined ? run() : runWithRequestId(requestId, run);
}

/**
 * Exports spans still buffered (the SDK batches them). The app calls it on close, because the
 * process then exits at once and an exit hook could not wait for the network. A no-op with
 * tracing off.
 */
export async function flushTraces(): Promise<void> {
  const provider: object = trace.getTracerProvider();
  const delegate: object = 'getDelegate' in provider && typeof provider.getDelegate === 'function' ? (provider.getDelegate() as object) : provider;
  if ('forceFlush' in delegate && typeof delegate.forceFlush === 'function') await (delegate.forceFlush() as Promise<void>);
}

import { register } from 'node:module';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/** Operational routes polled every few seconds: spans for them would drown the real traffic. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

/**
 * Starts the OpenTelemetry SDK: W3C trace context in and out, spans for incoming HTTP
 * (node:http + Fastify routes), outgoing fetch (undici: the service client, JWKS, Google),
 * Postgres (pg, under Prisma's driver adapter) and Redis (ioredis), exported over OTLP as the
 * standard OTEL_* variables say. Log lines get `trace_id`/`span_id` (pino); the logs themselves
 * stay on stdout, and metrics stay with Prometheus.
 */
export async function startTracing(): Promise<NodeSDK> {
  // Our code is ESM: imports of pg and ioredis are patched through import-in-the-middle's loader
  // hook, registered before the application's first import.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const sdk = new NodeSDK({
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => QUIET_PATHS.has(pathOf(req.url)),
      }),
      new UndiciInstrumentation(),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // Rate limits (onRequest) and token checks (preHandler) are worth a span; helmet, CORS
        // and the other small hooks are not worth their cost on every request.
        instrumentHooks: ['onRequest', 'preHandler'],
        ignorePaths: (route) => QUIET_PATHS.has(route.url),
      }),
      // requireParentSpan: the relay's polling and the pool's housekeeping make no traces of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return sdk;
}

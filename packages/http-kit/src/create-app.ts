import { flushTraces } from '@authmeet/telemetry';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { LoggerOptions } from 'pino';
import { bodyGuard } from './body-guard.js';
import { deferredChildLogger } from './child-logger.js';
import { clientErrorHandler, serverTimeoutOptions } from './connection-limits.js';
import type { DocsOptions } from './docs.js';
import { docs } from './docs.js';
import type { ServerLimits } from './env.js';
import { DEFAULT_SERVER_LIMITS } from './env.js';
import { drain } from './drain.js';
import type { AppError } from './errors.js';
import { errorHandler } from './error-handler.js';
import { metrics } from './metrics.js';
import { genReqId, requestId } from './request-id.js';
import { security } from './security.js';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpAppOptions {
  service: string;
  logger: LoggerOptions | false;
  trustProxy: false | number | string[];
  bodyLimit: number;
  corsOrigins: string[];
  /** Allow the CORS origins to send cookies (see SecurityOptions). */
  corsCredentials?: boolean;
  docs: DocsOptions;
  /** Timeouts and the connection cap; the defaults when absent. */
  limits?: ServerLimits;
  mapError?: (error: unknown) => AppError | undefined;
}

function toTrustProxy(value: false | number | string[]) {
  if (value === false) return false;
  // A hop count trusts exactly that many proxies nearest to us, never the client's own claims.
  if (typeof value === 'number') return (_address: string, hop: number) => hop < value;
  return value;
}

/**
 * The cross-cutting part of every service: request ids, JSON-only bodies, problem-details
 * errors, security headers, CORS, metrics and OpenAPI docs. Routes are added by the caller.
 */
export async function createHttpApp(opts: HttpAppOptions): Promise<HttpApp> {
  const limits = opts.limits ?? DEFAULT_SERVER_LIMITS;
  const app = Fastify({
    ...serverTimeoutOptions(limits),
    clientErrorHandler,
    logger: opts.logger,
    childLoggerFactory: deferredChildLogger,
    genReqId,
    trustProxy: toTrustProxy(opts.trustProxy),
    bodyLimit: opts.bodyLimit,
    // The drain plugin answers requests that arrive during shutdown with the contract's 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  // Beyond this, Node closes new sockets on accept: one process never holds more.
  app.server.maxConnections = limits.maxConnections;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(requestId);
  await app.register(errorHandler, { realm: opts.service, ...(opts.mapError ? { mapError: opts.mapError } : {}) });
  // Security before the body guard: its hooks run first, so the guard's 415 carries the same
  // security, CORS and cache headers as any other answer.
  await app.register(security, { corsOrigins: opts.corsOrigins, corsCredentials: opts.corsCredentials === true });
  await app.register(bodyGuard);
  await app.register(metrics, { service: opts.service });
  // After security and metrics: a drain's 503 still carries CORS and security headers and is counted.
  await app.register(drain);
  await app.register(docs, opts.docs);
  // Spans are batched: export what is left before the process exits (a no-op without tracing).
  app.addHook('onClose', flushTraces);
  return app;
}

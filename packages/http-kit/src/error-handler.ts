import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { FieldError, GenericErrorCode } from './errors.js';
import { AppError, problemType } from './errors.js';

export interface ErrorHandlerOptions {
  /** Service-specific translation of infrastructure errors (database, Redis) into AppErrors. */
  mapError?: (error: unknown) => AppError | undefined;
  /** `realm` in `WWW-Authenticate`. */
  realm: string;
}

const tokenErrorCodes = new Set<string>(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED']);

/** Fastify's own errors that a client can cause, mapped to our codes. Nothing else may be a 4xx. */
const fastifyCodes: Record<string, GenericErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'NOT_FOUND',
  FST_ERR_ASYNC_CONSTRAINT: 'MALFORMED_REQUEST',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

/** One entry per bad field: several zod issues on one path are joined. */
function fieldErrors(entries: { path: string; message: string }[]): FieldError[] {
  const byPath = new Map<string, string[]>();
  for (const e of entries) {
    const list = byPath.get(e.path) ?? [];
    if (!list.includes(e.message)) list.push(e.message);
    byPath.set(e.path, list);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }));
}

function pointerToPath(pointer: string): string {
  return pointer.replace(/^\//, '').replaceAll('/', '.');
}

export function toAppError(error: unknown, mapError?: (e: unknown) => AppError | undefined): AppError {
  if (error instanceof AppError) return error;
  const mapped = mapError?.(error);
  if (mapped) return mapped;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const errors = fieldErrors(
      error.validation.map((v) => {
        const missing = (v.params as { issue?: { path?: unknown[] } } | undefined)?.issue?.path;
        const path = pointerToPath(v.instancePath) || (Array.isArray(missing) ? missing.join('.') : '') || (context ?? 'body');
        return { path, message: v.message ?? 'is invalid' };
      }),
    );
    return new AppError('VALIDATION_FAILED', { errors, detail: `Invalid ${context ?? 'request'}` });
  }
  const fe = error as Partial<FastifyError>;
  if (fe.code && fastifyCodes[fe.code]) {
    const code = fastifyCodes[fe.code] as GenericErrorCode;
    return new AppError(code, { detail: code === 'NOT_FOUND' ? undefined : fe.message, cause: error });
  }
  // A SyntaxError from the JSON body parser carries statusCode 400.
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return new AppError('MALFORMED_REQUEST', { detail: 'The body is not valid JSON', cause: error });
  }
  if (fe.statusCode === 429) return new AppError('RATE_LIMITED', { cause: error });
  return new AppError('INTERNAL_ERROR', { cause: error });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: AppError, realm: string) {
  if (err.status === 401) {
    // RFC 6750 §3: no error attribute when the request carried no credentials at all.
    const challenge = tokenErrorCodes.has(err.code)
      ? `Bearer realm="${realm}", error="invalid_token", error_description="${err.title}"`
      : `Bearer realm="${realm}"`;
    void reply.header('www-authenticate', challenge);
  }
  if (err.retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfter))));
  return reply
    .code(err.status)
    .type('application/problem+json')
    .send({
      ...err.extensions,
      type: problemType(err.publicCode),
      title: err.title,
      status: err.status,
      code: err.publicCode,
      ...(err.detail ? { detail: err.detail } : {}),
      instance: request.url.split('?')[0],
      ...(err.errors ? { errors: err.errors } : {}),
    });
}

async function errorHandlerPlugin(app: FastifyInstance, opts: ErrorHandlerOptions) {
  app.setErrorHandler((error, request, reply) => {
    const err = toAppError(error, opts.mapError);
    if (err.status >= 500) {
      // Unexpected failures are logged in full but never described to the client.
      const level = err.code === 'INTERNAL_ERROR' ? 'error' : 'warn';
      request.log[level]({ err: err.cause ?? err, code: err.code }, 'request failed');
      if (isResponseSerializationError(error)) request.log.error({ issues: error.cause.issues }, 'response schema mismatch');
    } else if (err.code === 'VALIDATION_FAILED' && err.cause !== undefined) {
      // A value the schemas let through and the database refused: a gap in a schema, worth fixing.
      request.log.warn({ err: err.cause, code: err.code }, 'request refused by the database');
    } else {
      request.log.info({ code: err.code }, 'request refused');
    }
    const safe = err.code === 'INTERNAL_ERROR' ? new AppError('INTERNAL_ERROR') : err;
    return sendProblem(request, reply, safe, opts.realm);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('NOT_FOUND', { detail: `No route ${request.method} ${request.url.split('?')[0]}` }), opts.realm),
  );
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'authmeet-error-handler', fastify: '5.x' });

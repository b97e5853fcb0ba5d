import { STATUS_CODES } from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerLimits } from './env.js';
import type { GenericErrorCode } from './errors.js';
import { genericErrors, problemType } from './errors.js';

/** Fastify's and Node's server options for the limits (maxConnections is set on the server). */
export function serverTimeoutOptions(limits: ServerLimits) {
  const http: ServerOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // Node enforces both timeouts from a periodic sweep (default every 30 s, far coarser than
    // the limits themselves); a quarter of the shorter limit keeps the overshoot small.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs) / 4))),
  };
  return {
    http,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

function codeFor(error: NodeJS.ErrnoException): GenericErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'REQUEST_HEADERS_TOO_LARGE';
  return 'MALFORMED_REQUEST';
}

/** True when a response of ours already started on the socket: writing now would corrupt it. */
function responseStarted(socket: Socket): boolean {
  const inFlight: unknown = Reflect.get(socket, '_httpMessage');
  return typeof inFlight === 'object' && inFlight !== null && 'headersSent' in inFlight && inFlight.headersSent === true;
}

/**
 * Errors Node raises before a request reaches Fastify (a request or its headers not received in
 * time, headers too large, unparsable HTTP) answered as problem details like every other error,
 * then the socket is closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable && !responseStarted(socket)) {
    const code = codeFor(error);
    const { status, title } = genericErrors[code];
    const body = JSON.stringify({ type: problemType(code), title, status, code });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

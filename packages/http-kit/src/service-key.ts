import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { DEV_SERVICE_KEY } from './env.js';
import { AppError } from './errors.js';
import { createSecretMatcher, secretsEqual } from './secret-compare.js';

export const SERVICE_KEY_HEADER = 'x-service-key';

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/**
 * Guard for `/internal/` routes. Any key in the list is accepted so keys rotate without
 * downtime; the comparison is constant-time and checks every key (see secret-compare.ts), so
 * timing says nothing about which matched. A user's Bearer token is never a substitute: only
 * this header is looked at.
 *
 * The built-in development key is public (it is in the source), so it proves only that the
 * caller runs on this machine: it is accepted from loopback alone, judged by the socket and by
 * the client address after trusted proxies, so a local proxy cannot relay a remote caller.
 */
export function serviceKeyGuard(keys: readonly string[]) {
  const matches = createSecretMatcher(keys);
  return async function requireServiceKey(request: FastifyRequest): Promise<void> {
    const given = request.headers[SERVICE_KEY_HEADER];
    let ok = typeof given === 'string' && given.length > 0 && matches(given);
    if (ok && typeof given === 'string' && secretsEqual(given, DEV_SERVICE_KEY)) {
      ok = isLoopback(request.socket.remoteAddress) && isLoopback(request.ip);
    }
    if (!ok) throw new AppError('UNAUTHENTICATED', { detail: 'A valid X-Service-Key is required' });
  };
}

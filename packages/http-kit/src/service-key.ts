import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { DEV_SERVICE_KEY } from './env.js';
import { AppError } from './errors.js';

export const SERVICE_KEY_HEADER = 'x-service-key';

// Comparing fixed-length digests keeps the comparison constant-time even when lengths differ.
const digest = (value: string) => createHash('sha256').update(value).digest();
const devKey = digest(DEV_SERVICE_KEY);

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/**
 * Guard for `/internal/` routes. Any key in the list is accepted so keys rotate without
 * downtime; every key is compared (no early exit) so timing says nothing about which matched.
 * A user's Bearer token is never a substitute: only this header is looked at.
 *
 * The built-in development key is public (it is in the source), so it proves only that the
 * caller runs on this machine: it is accepted from loopback alone, judged by the socket and by
 * the client address after trusted proxies, so a local proxy cannot relay a remote caller.
 */
export function serviceKeyGuard(keys: readonly string[]) {
  const accepted = keys.filter((k) => k.length > 0).map(digest);
  return async function requireServiceKey(request: FastifyRequest): Promise<void> {
    const given = request.headers[SERVICE_KEY_HEADER];
    if (typeof given !== 'string' || given.length === 0) {
      throw new AppError('UNAUTHENTICATED', { detail: 'A valid X-Service-Key is required' });
    }
    const candidate = digest(given);
    let ok = false;
    for (const key of accepted) ok = timingSafeEqual(candidate, key) || ok;
    if (ok && timingSafeEqual(candidate, devKey) && !(isLoopback(request.socket.remoteAddress) && isLoopback(request.ip))) ok = false;
    if (!ok) throw new AppError('UNAUTHENTICATED', { detail: 'A valid X-Service-Key is required' });
  };
}

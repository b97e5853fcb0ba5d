import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

export const SERVICE_KEY_HEADER = 'x-service-key';

// Comparing fixed-length digests keeps the comparison constant-time even when lengths differ.
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Guard for `/internal/` routes. Any key in the list is accepted so keys rotate without
 * downtime; every key is compared (no early exit) so timing says nothing about which matched.
 * A user's Bearer token is never a substitute: only this header is looked at.
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
    if (!ok) throw new AppError('UNAUTHENTICATED', { detail: 'A valid X-Service-Key is required' });
  };
}

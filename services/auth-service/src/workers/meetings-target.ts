import { internalPaths } from '@authmeet/contracts';
import { createServiceClient } from '@authmeet/service-client';
import type { ServiceClient } from '@authmeet/service-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { UserSyncTarget } from './outbox-relay.js';

export interface MeetingsTargetConfig {
  meetingsUrl: string;
  serviceKey: string;
  timeoutMs: number;
  retries: number;
  breakerResetMs: number;
}

/**
 * The meetings-service's internal user routes behind p-retry (inside) and an opossum breaker
 * (outside), so an outage costs one probe per reset period instead of a request storm.
 */
export function createMeetingsTarget(config: MeetingsTargetConfig, log: FastifyBaseLogger, metrics: Registry): UserSyncTarget & { client: ServiceClient } {
  const client = createServiceClient({
    baseUrl: config.meetingsUrl,
    serviceKey: config.serviceKey,
    name: 'meetings-service',
    timeoutMs: config.timeoutMs,
    retry: { retries: config.retries, minTimeoutMs: 100, maxTimeoutMs: 2000 },
    breaker: {
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      resetTimeoutMs: config.breakerResetMs,
      timeoutMs: config.timeoutMs * (config.retries + 2),
    },
    logger: log,
    metrics,
  });
  const path = internalPaths.user;
  return {
    client,
    async put(userId, snapshot) {
      return (await client.request({ method: 'PUT', path: path(userId), body: snapshot })).status;
    },
    async putMany(users) {
      const body = { users: users.map(({ userId, snapshot }) => ({ id: userId, ...snapshot })) };
      return (await client.request({ method: 'PUT', path: internalPaths.users, body })).status;
    },
    async remove(userId, version) {
      return (await client.request({ method: 'DELETE', path: path(userId), query: { version } })).status;
    },
  };
}

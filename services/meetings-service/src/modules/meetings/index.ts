import type { HttpApp } from '@authmeet/http-kit';
import { Gauge } from 'prom-client';
import type { Config } from '../../config.js';
import { createUsersRepository } from '../users/users.repository.js';
import { createMeetingEvents } from './meeting-events.js';
import { createMeetingsRepository } from './meetings.repository.js';
import { meetingsRoutes } from './meetings.routes.js';
import { createMeetingService } from './meetings.service.js';
import { createStreamHeartbeat } from './stream-heartbeat.js';
import { createStreamRegistry } from './stream-registry.js';
import { createStreamSlots } from './stream-slots.js';

export interface MeetingsModuleDeps {
  config: Pick<Config, 'redis' | 'sse'>;
  clock: () => number;
  generateCode?: (() => string) | undefined;
}

/**
 * Meetings: the repository, the cross-replica events and the service, built from the app's
 * Prisma and Redis clients; `routes` (registered after authentication) serves /v1/meetings and
 * its event streams.
 */
export function meetingsModule(app: HttpApp, deps: MeetingsModuleDeps) {
  const { config } = deps;
  const repository = createMeetingsRepository(app.prisma, app.pg);
  const events = createMeetingEvents({ publisher: app.redis, subscriber: app.redisSubscriber, channelPrefix: config.redis.keyPrefix, log: app.log });
  // Open streams would keep close() waiting for "in-flight" requests: end them first.
  app.addHook('preClose', async () => events.shutdown());
  // Hosts with MFA on must step up to delete (the synced `mfaEnabled` of the users table).
  const users = createUsersRepository(app.prisma);
  const service = createMeetingService({
    meetings: repository,
    hasMfa: async (userId) => (await users.findById(userId))?.mfaEnabled === true,
    events,
    clock: deps.clock,
    ...(deps.generateCode ? { generateCode: deps.generateCode } : {}),
  });

  async function routes(scope: HttpApp) {
    // Event streams end with the access they were opened on; revocations and not-before markers
    // (a role change, a disable) reach them through the revocation view's one subscription
    // (never one per stream).
    const view = scope.revocationView;
    const isRevoked = (claims: Parameters<typeof view.isRevoked>[0]) => view.isRevoked(claims);
    const streams = createStreamRegistry({ isRevoked, recheckMs: config.sse.heartbeatMs, log: scope.log });
    view.onRevoked((sub, sid) => streams.endSession(sub, sid, 'revoked'));
    view.onNotBefore((sub, nbf) => streams.endIssuedBefore(sub, nbf, 'revoked'));
    const slots = createStreamSlots({ redis: scope.redis, maxPerUser: config.sse.maxStreamsPerUser, log: scope.log });
    const heartbeat = createStreamHeartbeat(config.sse.heartbeatMs);
    scope.addHook('onClose', async () => {
      streams.close();
      slots.close();
      heartbeat.close();
    });
    new Gauge({
      name: 'meetings_sse_open_streams',
      help: 'Event streams open on this replica (scale on it)',
      registers: [scope.metrics],
      collect() {
        this.set(streams.size());
      },
    });
    const { maxStreamsPerUser } = config.sse;
    await scope.register(meetingsRoutes({ meetings: service, events, heartbeat, streams, slots, maxStreamsPerUser, isRevoked }));
  }

  return { repository, events, service, routes };
}

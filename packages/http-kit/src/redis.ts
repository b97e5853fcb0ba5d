import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { AppError } from './errors.js';

export type RedisClient = Redis | Cluster;

export interface RedisConfig {
  url: string;
  mode: 'standalone' | 'cluster';
  keyPrefix: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient;
  }
}

/** How long a command may wait for its answer before the caller gets a 503. */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/**
 * Commands fail fast while Redis is unreachable (no offline queue, one retry): callers turn
 * that into a 503 instead of hanging a request until Redis returns. Reconnection continues in
 * the background, so the service recovers by itself.
 *
 * A command that was sent but not answered when the connection broke is NOT resent after the
 * reconnect (autoResendUnfulfilledCommands off): its request has already answered 503, and a
 * state change replayed behind the client's back (a token rotation, a session created) would
 * contradict that answer. The subscriber keeps its queue: SUBSCRIBE is idempotent.
 */
export function createRedisClient(config: RedisConfig, opts: { subscriber?: boolean } = {}): RedisClient {
  const common: RedisOptions = {
    keyPrefix: opts.subscriber ? '' : config.keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: opts.subscriber === true,
    maxRetriesPerRequest: opts.subscriber ? null : 1,
    autoResendUnfulfilledCommands: opts.subscriber === true,
    // Subscribers re-subscribe themselves on "ready" (with a rejection handler): ioredis's own
    // re-subscription is fire-and-forget and turns a second drop into an unhandled rejection.
    autoResubscribe: false,
    commandTimeout: opts.subscriber ? undefined : REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
  };
  if (config.mode === 'cluster') {
    const nodes = config.url.split(',').map((u) => {
      const parsed = new URL(u.trim());
      return { host: parsed.hostname, port: Number(parsed.port || 6379) };
    });
    // The Cluster takes lazyConnect, the offline queue and keyPrefix from its own options, not
    // from redisOptions: without lazyConnect here it connects in the constructor, connectRedis's
    // connect() is refused ("already connecting") and the app serves before the slot map is
    // known. keyPrefix on the Cluster is what prefixes commands and what
    // assertKeyPrefixMatches (auth-tokens) reads as `options.keyPrefix`.
    return new Cluster(nodes, {
      redisOptions: common,
      lazyConnect: true,
      enableOfflineQueue: common.enableOfflineQueue,
      keyPrefix: common.keyPrefix,
    });
  }
  return new Redis(config.url, common);
}

/** Connect, but do not refuse to start when Redis is down: readiness reports it instead. */
export async function connectRedis(client: RedisClient, log: FastifyBaseLogger): Promise<void> {
  client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  try {
    await client.connect();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'redis not reachable at start; retrying in the background');
  }
}

const unavailableMessages = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'connect ECONNREFUSED',
  'None of startup nodes is available',
];

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return unavailableMessages.some((m) => error.message.includes(m));
}

export function redisUnavailable(cause: unknown): AppError {
  return new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Redis is unavailable', retryAfter: 2, cause });
}

async function redisPlugin(app: FastifyInstance, config: RedisConfig) {
  const client = createRedisClient(config);
  await connectRedis(client, app.log);
  app.decorate<RedisClient>('redis', client);
  app.addHook('onClose', async () => {
    await client.quit().catch(() => client.disconnect());
  });
}

export const redisClient = fp(redisPlugin, { name: 'authmeet-redis', fastify: '5.x' });

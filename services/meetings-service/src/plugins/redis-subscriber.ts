import { setTimeout as delay } from 'node:timers/promises';
import { connectRedis, createRedisClient } from '@authmeet/http-kit';
import type { RedisConfig } from '@authmeet/http-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The instance's one connection in subscriber mode, shared by the revocation view and every
     * SSE stream (per-client connections would not scale with open streams).
     */
    redisSubscriber: Redis;
  }
}

/**
 * PUBLISH reaches every node of a Redis Cluster, so a plain connection to the first node is
 * enough to hear everything; the revocation view also needs exactly this connection's events.
 */
export function createSubscriber(config: RedisConfig): Redis {
  const firstUrl = config.url.split(',')[0]?.trim() ?? config.url;
  const client = createRedisClient({ ...config, mode: 'standalone', url: firstUrl }, { subscriber: true });
  if (!(client instanceof Redis)) throw new TypeError('expected a standalone Redis connection for the subscriber');
  return client;
}

async function redisSubscriberPlugin(app: FastifyInstance, config: RedisConfig) {
  const subscriber = createSubscriber(config);
  // Bounded: connect fails after connectTimeout and reconnects in the background.
  await connectRedis(subscriber, app.log);
  app.decorate('redisSubscriber', subscriber);
  app.addHook('onClose', async () => {
    // QUIT would sit in the offline queue forever while Redis is down: only ask politely when
    // connected, and never wait long.
    if (subscriber.status === 'ready') {
      await Promise.race([subscriber.quit().catch(() => undefined), delay(1000, undefined, { ref: false })]);
    }
    subscriber.disconnect();
  });
}

export const redisSubscriber = fp(redisSubscriberPlugin, { name: 'meetings-redis-subscriber', fastify: '5.x' });

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
 * PUBLISH reaches every node of a Redis Cluster, so a plain connection to any one node hears
 * everything; the revocation view also needs exactly this connection's close/ready events, so
 * it stays one `Redis` object. It starts on the first node of REDIS_URL and, in cluster mode,
 * moves to the next listed node on every reconnect: a failed node must not silence revocations
 * and meeting events until it comes back (ioredis re-subscribes on the new node by itself).
 */
export function createSubscriber(config: RedisConfig): Redis {
  const urls = config.url.split(',').map((u) => u.trim()).filter((u) => u !== '');
  const firstUrl = urls[0] ?? config.url;
  const client = createRedisClient({ ...config, mode: 'standalone', url: firstUrl }, { subscriber: true });
  if (!(client instanceof Redis)) throw new TypeError('expected a standalone Redis connection for the subscriber');
  if (config.mode === 'cluster' && urls.length > 1) {
    const nodes = urls.map((u) => new URL(u)).map((u) => ({ host: u.hostname, port: Number(u.port || 6379) }));
    const backoff = client.options.retryStrategy;
    let current = 0;
    // ioredis reads host and port from `options` on each connect, after asking retryStrategy.
    client.options.retryStrategy = (times) => {
      current = (current + 1) % nodes.length;
      const node = nodes[current];
      if (node) Object.assign(client.options, node);
      return backoff ? backoff(times) : 50;
    };
  }
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

import { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { TEST_REDIS_MODE, TEST_REDIS_URL } from './config.js';

/** REDIS_URL and REDIS_MODE for a service under test, following the test mode. */
export const testRedisEnv = (): { REDIS_URL: string; REDIS_MODE: string } => ({
  REDIS_URL: TEST_REDIS_URL,
  REDIS_MODE: TEST_REDIS_MODE,
});

/**
 * A client for tests that read or write keys themselves: a plain connection to the shared
 * Redis, or a Cluster client (which follows slots) in the cluster test mode. Any other `url`
 * (a private instance of a fault test) gets a plain connection.
 */
export function createTestRedis(options: RedisOptions = {}, url = TEST_REDIS_URL): Redis | Cluster {
  if (TEST_REDIS_MODE === 'cluster' && url === TEST_REDIS_URL) {
    const nodes = url.split(',').map((u) => {
      const parsed = new URL(u);
      return { host: parsed.hostname, port: Number(parsed.port) };
    });
    return new Cluster(nodes, { redisOptions: options, keyPrefix: options.keyPrefix, lazyConnect: options.lazyConnect });
  }
  return new Redis(url, options);
}

/**
 * A plain connection for SUBSCRIBE. In a cluster, a node delivers every PUBLISH made on any
 * node, so one node is enough; in standalone mode it is the shared Redis.
 */
export function createTestSubscriber(options: RedisOptions = {}): Redis {
  const first = TEST_REDIS_URL.split(',')[0] ?? TEST_REDIS_URL;
  return new Redis(first, options);
}

/**
 * Connections subscribed to `channel`, deployment-wide. PUBSUB NUMSUB only counts the node it
 * runs on, and in a cluster a subscriber may sit on any node, so every node is asked.
 */
export async function countSubscribers(channel: string): Promise<number> {
  let total = 0;
  for (const url of TEST_REDIS_URL.split(',')) {
    const node = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await node.connect();
      const reply = (await node.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      total += Number(reply[1]);
    } finally {
      node.disconnect();
    }
  }
  return total;
}

/**
 * The variables every service's test config starts from: test mode with a silent log, its own
 * database, the test Redis under the given prefix, and two accepted service keys (the second
 * for the rotation tests). The service adds its own variables after it.
 */
export function testServiceEnv(opts: { databaseUrl: string; poolSize: number; redisKeyPrefix: string; serviceKey: string }): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: opts.databaseUrl,
    DATABASE_POOL_SIZE: String(opts.poolSize),
    ...testRedisEnv(),
    REDIS_KEY_PREFIX: opts.redisKeyPrefix,
    SERVICE_KEYS: `${opts.serviceKey},second-key-for-rotation`,
  };
}

/** Deletes every key under `prefix` in the shared Redis (a test file's clean-up). */
export async function deleteTestRedisKeys(prefix: string): Promise<void> {
  const admin = createTestRedis();
  try {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  } finally {
    admin.disconnect();
  }
}

import { Redis } from 'ioredis';

export function connectRedis(url: string): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
}

/** UNLINKs every key under `prefix` (SCAN, bounded by the keyspace size); returns how many. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length < 6) throw new Error(`refusing to delete keys under the short prefix "${prefix}"`);
  let cursor = '0';
  let deleted = 0;
  const dbsize = await redis.dbsize();
  // Each SCAN visits ~COUNT slots; the cursor returns to 0 after one pass over the keyspace.
  const maxRounds = Math.ceil(dbsize / 1000) * 4 + 100;
  for (let round = 0; round < maxRounds; round += 1) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') return deleted;
  }
  throw new Error(`SCAN under ${prefix} did not finish in ${maxRounds} rounds`);
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match?.[1]) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/** The server's version over a connection of its own, or 'unknown' (for the report). */
export async function redisVersionOnce(url: string): Promise<string> {
  const client = connectRedis(url);
  try {
    return await redisVersion(client);
  } catch {
    return 'unknown';
  } finally {
    client.disconnect();
  }
}

/** The Redis server's process id (for CPU per operation; a server in another pid namespace is not found in /proc). */
export async function redisPid(redis: Redis): Promise<number> {
  const info = await redis.info('server');
  return Number(/^process_id:(\d+)/m.exec(info)?.[1] ?? 0);
}

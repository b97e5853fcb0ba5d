import { usePrivateRedisCluster } from '@authmeet/test-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { connectRedis, createRedisClient } from '../src/redis.js';

const warnings: string[] = [];
const log = { warn: (_obj: unknown, msg: string) => warnings.push(msg) } as unknown as FastifyBaseLogger;

const privateCluster = usePrivateRedisCluster();

describe('createRedisClient with REDIS_MODE=cluster (a real 3-primary cluster)', () => {
  it('connects only when asked, and is ready with the slot map once connectRedis returns', async () => {
    const client = createRedisClient({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'app:' });
    expect(client).toBeInstanceOf(Cluster);
    // Not connecting on its own: connectRedis's connect() is what starts (and awaits) it.
    expect(client.status).toBe('wait');
    await connectRedis(client, log);
    try {
      expect(warnings).toEqual([]);
      expect(client.status).toBe('ready');
      await expect(client.set('k', 'v')).resolves.toBe('OK');
    } finally {
      client.disconnect();
    }
  });

  it('prefixes every key on every node, and reports its prefix as options.keyPrefix', async () => {
    const client = createRedisClient({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'pfx:' });
    await connectRedis(client, log);
    try {
      expect(client.options.keyPrefix).toBe('pfx:');
      const ids = Array.from({ length: 30 }, (_, i) => `user-${i}`);
      for (const id of ids) await client.set(`probe:{u:${id}}`, id);
      // Read back without a prefix from each primary: the keys are spread over the nodes and
      // every one of them carries the prefix.
      const seen: string[] = [];
      const nodesHolding = new Set<string>();
      for (const url of privateCluster().nodes) {
        const node = new Redis(url);
        const keys = await node.keys('pfx:*');
        node.disconnect();
        if (keys.length > 0) nodesHolding.add(url);
        seen.push(...keys);
      }
      expect(seen.sort()).toEqual(ids.map((id) => `pfx:probe:{u:${id}}`).sort());
      expect(nodesHolding.size).toBeGreaterThan(1);
    } finally {
      client.disconnect();
    }
  });

  it('runs a MULTI over one user\'s hash-tagged keys, and refuses keys of different slots', async () => {
    const client = createRedisClient({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'tx:' });
    await connectRedis(client, log);
    try {
      const ok = await client.multi().set('a:{u:1}', '1').set('b:{u:1}', '2').exec();
      expect(ok?.map(([err]) => err)).toEqual([null, null]);
      // The same two keys without a shared tag hash to different slots (checked): CROSSSLOT.
      expect(await client.cluster('KEYSLOT', 'tx:a:1')).not.toBe(await client.cluster('KEYSLOT', 'tx:b:2'));
      await expect(client.multi().set('a:1', '1').set('b:2', '2').exec()).rejects.toThrow();
    } finally {
      client.disconnect();
    }
  });
});

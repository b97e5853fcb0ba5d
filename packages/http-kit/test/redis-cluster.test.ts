import { usePrivateRedisCluster } from '@authmeet/test-kit';
import type { FastifyBaseLogger } from 'fastify';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisScript } from '../src/redis-script.js';
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

  it('runs a script by SHA on the node of its keys\' slot, loading it on each node that lacks it', async () => {
    const client = createRedisClient({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'lua:' });
    await connectRedis(client, log);
    const nodes = privateCluster().nodes.map((url) => new Redis(url));
    try {
      const script = redisScript<[number, string]>(`return {redis.call('INCR', KEYS[1]), KEYS[2]}`);
      const ids = Array.from({ length: 30 }, (_, i) => `user-${i}`);
      const runAll = () => Promise.all(ids.map((id) => script(client, 2, `n:{u:${id}}`, `other:{u:${id}}`)));
      // No node has it: each one answers NOSCRIPT once per key, and the EVAL loads it there.
      expect(await runAll()).toEqual(ids.map((id) => [1, `lua:other:{u:${id}}`]));
      expect(await runAll()).toEqual(ids.map((id) => [2, `lua:other:{u:${id}}`]));
      const loaded = await Promise.all(nodes.map(async (node) => ((await node.script('EXISTS', script.sha)) as number[])[0]));
      expect(loaded).toEqual(nodes.map(() => 1));

      // One node forgets it (a restarted primary): its keys fall back, every key still counts once.
      expect(await nodes[0]?.script('FLUSH')).toBe('OK');
      expect(await runAll()).toEqual(ids.map((id) => [3, `lua:other:{u:${id}}`]));
      expect(await nodes[0]?.script('EXISTS', script.sha)).toEqual([1]);
    } finally {
      client.disconnect();
      for (const node of nodes) node.disconnect();
    }
  });
});

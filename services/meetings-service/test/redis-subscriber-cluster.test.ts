import { eventually, usePrivateRedisCluster } from '@authmeet/test-kit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createSubscriber } from '../src/plugins/redis-subscriber.js';

// Its own cluster (not the shared test Redis): one of its nodes is killed.
const privateCluster = usePrivateRedisCluster();

describe('the subscriber connection with REDIS_MODE=cluster', () => {
  it('moves to another node when its node fails, and keeps hearing PUBLISHes made anywhere', async () => {
    const subscriber = createSubscriber({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'p:' });
    const publisher = new Redis(privateCluster().nodes[2] ?? '', { maxRetriesPerRequest: 1 });
    const heard: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => heard.push(message));
    subscriber.on('error', () => undefined);
    try {
      await subscriber.connect();
      await subscriber.subscribe('p:events');
      await publisher.publish('p:events', 'before');
      await eventually(() => expect(heard).toEqual(['before']));
      // The node the subscriber is on dies. PUBLISH still works on the survivors (it has no key,
      // so it needs no slot), and a cluster delivers it to subscribers on every node.
      await privateCluster().stopNode(0);
      await eventually(async () => {
        await publisher.publish('p:events', 'after');
        expect(heard).toContain('after');
      }, 15_000, 200);
    } finally {
      subscriber.disconnect();
      publisher.disconnect();
    }
  });
});

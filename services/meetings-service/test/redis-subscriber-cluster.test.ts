import { eventually, usePrivateRedisCluster } from '@authmeet/test-kit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createMeetingEvents } from '../src/modules/meetings/meeting-events.js';
import type { DeliveredEvent } from '../src/modules/meetings/meeting-events.js';
import { createSubscriber } from '../src/plugins/redis-subscriber.js';

// Its own cluster (not the shared test Redis): one of its nodes is killed.
const privateCluster = usePrivateRedisCluster();

const silent = { warn: () => undefined };
const ended = (n: number) => ({ type: 'meeting.ended' as const, data: { meetingId: 'm1', endedAt: new Date(n).toISOString(), reason: 'ended' as const } });

describe('the subscriber connection with REDIS_MODE=cluster', () => {
  it('moves to another node when its node fails, and its channels keep hearing PUBLISHes made anywhere', async () => {
    const subscriber = createSubscriber({ url: privateCluster().url, mode: 'cluster', keyPrefix: 'p:' });
    const publisher = new Redis(privateCluster().nodes[2] ?? '', { maxRetriesPerRequest: 1 });
    subscriber.on('error', () => undefined);
    const events = createMeetingEvents({ publisher, subscriber, channelPrefix: 'p:', log: silent });
    const heard: DeliveredEvent[] = [];
    try {
      await subscriber.connect();
      const unsubscribe = await events.subscribe('m1', { onEvent: (e) => heard.push(e), onShutdown: () => undefined });
      await events.publish('m1', ended(1));
      await eventually(() => expect(heard).toHaveLength(1));
      // The node the subscriber is on dies. PUBLISH still works on the survivors (it has no key,
      // so it needs no slot), and a cluster delivers it to subscribers on every node. The channel
      // is subscribed again on the new node by the meeting events themselves.
      await privateCluster().stopNode(0);
      await eventually(async () => {
        await events.publish('m1', ended(2));
        expect(heard.map((e) => e.type === 'meeting.ended' && e.data.endedAt)).toContain(new Date(2).toISOString());
      }, 15_000, 200);
      unsubscribe();
    } finally {
      subscriber.disconnect();
      publisher.disconnect();
    }
  });
});

import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDIS_EPOCH_KEY, createRedisRevocationView, sessionAliveKey } from '../src/index.js';
import type { RedisRevocationView } from '../src/index.js';
import { createClient, deleteKeysWithPrefix, openSession, uniquePrefix, waitFor } from './helpers/redis.js';
import { nowSec } from './helpers/tokens.js';

/**
 * Views check a session POSITIVELY (its key exists), so a session that is gone for any reason is
 * refused, and they notice Redis losing its data through the data-epoch marker.
 */
const prefix = uniquePrefix('liveness');
const clients: Redis[] = [];
const views: RedisRevocationView[] = [];
let counter = 0;

function client(): Redis {
  const c = createClient({ keyPrefix: prefix });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

async function started(healthCheckIntervalMs = 5_000): Promise<RedisRevocationView> {
  const v = createRedisRevocationView({ redis: client(), subscriber: client(), keyPrefix: prefix, healthCheckIntervalMs });
  views.push(v);
  await v.start();
  return v;
}

const claims = () => {
  counter += 1;
  return { sub: `user-${counter}`, sid: `sid-${counter}`, exp: nowSec() + 900 };
};

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
});

describe('positive session check', () => {
  it('refuses a session whose key does not exist, though nothing marked it revoked', async () => {
    const v = await started();
    const s = claims();
    expect(await v.isRevoked(s)).toBe(true);
    expect(await v.isRevoked(s)).toBe(true);
    expect(v.stats()).toMatchObject({ redisChecks: 1, revokedInMemory: 1 });
  });

  it('accepts a live session with one round trip, then from memory', async () => {
    const v = await started();
    const s = claims();
    await openSession(client(), s.sub, s.sid);
    for (let i = 0; i < 5; i += 1) expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().redisChecks).toBe(1);
    expect(sessionAliveKey(s.sub, s.sid)).toBe(`sess:{u:${s.sub}}:${s.sid}`);
  });
});

describe('Redis data-epoch marker', () => {
  it('writes the marker once and keeps it', async () => {
    const first = await started(50);
    const second = await started(50);
    const raw = client();
    await waitFor(async () => (await raw.exists(REDIS_EPOCH_KEY)) === 1, 2_000, 'marker');
    const marker = await raw.get(REDIS_EPOCH_KEY);
    await new Promise((r) => setTimeout(r, 200));
    expect(await raw.get(REDIS_EPOCH_KEY)).toBe(marker);
    expect(first.stats().dataResets + second.stats().dataResets).toBe(0);
  });

  it('when Redis loses its data without a disconnect, every view drops its confirmations', async () => {
    const views = [await started(50), await started(50)];
    const s = claims();
    await openSession(client(), s.sub, s.sid);
    const raw = client();
    await waitFor(async () => (await raw.exists(REDIS_EPOCH_KEY)) === 1, 2_000, 'marker');
    for (const v of views) expect(await v.isRevoked(s)).toBe(false);

    // Everything under the prefix vanishes (a flush, a failover to an empty replica behind a
    // proxy); the subscriptions stay up, so only the marker can tell.
    await deleteKeysWithPrefix(prefix);
    for (const v of views) {
      await waitFor(() => v.stats().dataResets === 1, 2_000, 'data loss to be noticed');
      expect(v.stats()).toMatchObject({ subscribed: true, epoch: 2 }); // a new generation of confirmations
      expect(await v.isRevoked(s)).toBe(true);
    }
    // The new marker is remembered: later health checks see no further loss.
    await new Promise((r) => setTimeout(r, 200));
    for (const v of views) expect(v.stats().dataResets).toBe(1);
  });
});

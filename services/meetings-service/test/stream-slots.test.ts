import { randomUUID } from 'node:crypto';
import { createTestRedis, eventually, uniqueRedisPrefix } from '@authmeet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createStreamSlots } from '../src/modules/meetings/stream-slots.js';
import type { StreamSlots } from '../src/modules/meetings/stream-slots.js';

// The per-user cap's leases in Redis, against the test Redis itself: refreshes and releases that
// fail (a key of the wrong type, a closed connection) are only logged, and heal by themselves.

const keyPrefix = uniqueRedisPrefix('slots');
/** For reading and breaking the slots' keys from outside. */
const admin = createTestRedis({ keyPrefix });
afterAll(() => admin.disconnect());

const key = (userId: string) => `sse-streams:{u:${userId}}`;
const NOT_REFRESHED = 'stream slot leases not refreshed; retrying next round';
const NOT_RELEASED = 'stream slot not released; it expires with its lease';

interface Line {
  obj: Record<string, unknown>;
  msg: string;
}

function recordingLog() {
  const lines: Line[] = [];
  return { lines, log: { warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ obj, msg }) }, with: (msg: string) => lines.filter((l) => l.msg === msg) };
}

/** The lease ends (Redis time, ms) of a user's slots. */
async function leaseEnds(userId: string): Promise<number[]> {
  const flat = await admin.zrange(key(userId), '0', '-1', 'WITHSCORES');
  return flat.filter((_, i) => i % 2 === 1).map(Number);
}

const open: StreamSlots[] = [];
function slots(options: { leaseMs?: number; maxPerUser?: number; redis?: ReturnType<typeof createTestRedis>; log?: ReturnType<typeof recordingLog>['log'] } = {}): StreamSlots {
  const created = createStreamSlots({ redis: options.redis ?? admin, maxPerUser: options.maxPerUser ?? 2, leaseMs: options.leaseMs, log: options.log ?? recordingLog().log });
  open.push(created);
  return created;
}
afterAll(() => {
  for (const s of open) s.close();
});

describe('stream slots', () => {
  it('retry-after is the lease in whole seconds, rounded up; the default lease is 60 s', async () => {
    expect(slots({ leaseMs: 1500 }).retryAfterSec).toBe(2);
    const byDefault = slots();
    expect(byDefault.retryAfterSec).toBe(60);
    const userId = randomUUID();
    expect(await byDefault.acquire(userId)).toBeTypeOf('function');
    const ttl = await admin.pttl(key(userId));
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('counts per user, and a release gives the slot back for good (the refresh loop does not bring it back)', async () => {
    const leaseMs = 600;
    const { log, lines } = recordingLog();
    const s = slots({ leaseMs, maxPerUser: 1, log });
    const [u1, u2] = [randomUUID(), randomUUID()];
    const release = await s.acquire(u1);
    expect(release).toBeTypeOf('function');
    expect(await s.acquire(u1)).toBeUndefined();
    expect(await s.acquire(u2)).toBeTypeOf('function');
    release?.();
    await eventually(async () => expect(await leaseEnds(u1)).toEqual([]), 2000, 20);
    // Several refresh rounds later the released slot is still gone, and nothing failed.
    const [before] = await leaseEnds(u2);
    await eventually(async () => expect((await leaseEnds(u2))[0]).toBeGreaterThan((before ?? Infinity) + leaseMs / 3), 3000, 50);
    expect(await leaseEnds(u1)).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('refreshes every third of the lease, not more often, and its timer does not keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const s = slots({ leaseMs: 6000 });
    expect(timers()).toBe(before);
    const userId = randomUUID();
    expect(await s.acquire(userId)).toBeTypeOf('function');
    const first = await leaseEnds(userId);
    // The first refresh is due 2 s after the instance started; timers fire late under load, never early.
    await new Promise((r) => setTimeout(r, 700));
    expect(await leaseEnds(userId)).toEqual(first);
  });

  it('a refresh that fails for some users is logged with how many failed; the next one re-adds the slot', async () => {
    const leaseMs = 600;
    const { log, with: logged } = recordingLog();
    const s = slots({ leaseMs, log });
    const [broken, fine] = [randomUUID(), randomUUID()];
    expect(await s.acquire(broken)).toBeTypeOf('function');
    expect(await s.acquire(fine)).toBeTypeOf('function');
    // A few successful rounds first: they log nothing.
    const [start] = await leaseEnds(fine);
    await eventually(async () => expect((await leaseEnds(fine))[0]).toBeGreaterThan((start ?? Infinity) + leaseMs / 3), 3000, 50);
    expect(logged(NOT_REFRESHED)).toEqual([]);

    // The broken user's key holds a string now: their ZADD fails with WRONGTYPE, the other's works.
    await admin.set(key(broken), 'not a sorted set');
    await eventually(() => expect(logged(NOT_REFRESHED)[0]?.obj).toEqual({ failed: 1, held: 2 }), 3000, 20);
    const [renewed] = await leaseEnds(fine);
    await eventually(async () => expect((await leaseEnds(fine))[0]).toBeGreaterThan(renewed ?? Infinity), 3000, 50);

    await admin.del(key(broken));
    await eventually(async () => expect(await leaseEnds(broken)).toHaveLength(1), 3000, 20);
  });

  it('a release that fails is logged once and the slot expires with its lease; a second call does nothing', async () => {
    const leaseMs = 600;
    const own = createTestRedis({ keyPrefix });
    const { log, with: logged } = recordingLog();
    const s = slots({ leaseMs, maxPerUser: 1, redis: own, log });
    const [u1, u2] = [randomUUID(), randomUUID()];
    const lost = await s.acquire(u1);
    const given = await s.acquire(u2);
    given?.();
    await eventually(async () => expect(await leaseEnds(u2)).toEqual([]), 2000, 20);

    own.disconnect();
    lost?.();
    lost?.();
    given?.();
    await eventually(() => expect(logged(NOT_RELEASED)).toHaveLength(1), 2000, 20);
    const [line] = logged(NOT_RELEASED);
    expect(line?.obj).toMatchObject({ userId: u1, err: expect.any(Error) });

    // Nobody refreshes it any more: another replica gets the slot once the lease has run out.
    const other = slots({ leaseMs, maxPerUser: 1 });
    expect(await other.acquire(u1)).toBeUndefined();
    await eventually(async () => expect(await other.acquire(u1)).toBeTypeOf('function'), leaseMs * 5, 50);
    // The instance holds nothing now: its rounds have nothing to refresh, so nothing fails.
    await new Promise((r) => setTimeout(r, leaseMs));
    expect(logged(NOT_REFRESHED)).toEqual([]);
    expect(logged(NOT_RELEASED)).toHaveLength(1);
  });
});

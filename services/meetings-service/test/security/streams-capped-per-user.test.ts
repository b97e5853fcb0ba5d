import { randomUUID } from 'node:crypto';
import { eventually } from '@authmeet/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStreamSlots } from '../../src/modules/meetings/stream-slots.js';
import { createMeeting, newUser } from '../factories.js';
import type { TestUser } from '../factories.js';
import { listenForStreams } from '../helpers/live-streams.js';
import type { LiveStreams } from '../helpers/live-streams.js';
import type { SseStream } from '../helpers/sse-client.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

// Finding: one user could hold any number of open streams (each a socket, a subscription and
// memory on a replica). At most SSE_MAX_STREAMS_PER_USER (default 10) across all replicas.

let a: MeetingsContext;
let b: MeetingsContext;
let onA: LiveStreams;
let onB: LiveStreams;
let user: TestUser;

beforeAll(async () => {
  a = await startMeetingsService();
  b = await startMeetingsService({}, { share: a });
  onA = await listenForStreams(a);
  onB = await listenForStreams(b);
  user = await newUser(a.app, a.issuer);
});
afterEach(() => {
  onA.closeAll();
  onB.closeAll();
});
afterAll(async () => {
  await b.close();
  await a.close();
});

async function expectRateLimited(base: string, meetingId: string, headers: Record<string, string>) {
  const res = await fetch(`${base}/v1/meetings/${meetingId}/events`, { headers });
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await res.json()) as { code: string }).code).toBe('RATE_LIMITED');
}

async function openStreamsGauge(ctx: MeetingsContext): Promise<number> {
  const text = await ctx.app.metrics.metrics();
  const line = text.split('\n').find((l) => l.startsWith('meetings_sse_open_streams'));
  return Number(line?.split(' ').at(-1));
}

describe('open streams per user', () => {
  it('the 11th stream of a user is refused with 429 on any replica; other users are not affected', async () => {
    const m = await createMeeting(a.app, user);
    const opened: SseStream[] = [];
    for (let i = 0; i < 10; i += 1) opened.push(await (i % 2 === 0 ? onA : onB).open(m.id, user.headers));
    expect(opened.map((s) => s.status)).toEqual(Array.from({ length: 10 }, () => 200));

    await expectRateLimited(onA.base, m.id, user.headers);
    await expectRateLimited(onB.base, m.id, user.headers);
    expect(await openStreamsGauge(a)).toBe(5);
    expect(await openStreamsGauge(b)).toBe(5);

    const other = await newUser(a.app, a.issuer);
    const otherMeeting = await createMeeting(a.app, other);
    expect((await onA.open(otherMeeting.id, other.headers)).status).toBe(200);

    // A stream the client closes frees its slot.
    opened[0]?.close();
    await eventually(async () => {
      const again = await onB.open(m.id, user.headers);
      expect(again.status).toBe(200);
    }, 5000, 100);
    await expectRateLimited(onA.base, m.id, user.headers);
  });

  it('streams ended by the server free their slots', async () => {
    const m = await createMeeting(a.app, user);
    const opened: SseStream[] = [];
    for (let i = 0; i < 10; i += 1) opened.push(await onA.open(m.id, user.headers));
    await expectRateLimited(onA.base, m.id, user.headers);
    await a.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: user.headers });
    await Promise.all(opened.map((s) => s.ended));
    const next = await createMeeting(a.app, user);
    expect((await onB.open(next.id, user.headers)).status).toBe(200);
    await eventually(async () => expect(await openStreamsGauge(a)).toBe(0));
  });
});

describe('stream slots in Redis', () => {
  it('leases are renewed while streams are open, and a crashed replica\'s slots free themselves', async () => {
    const leaseMs = 900;
    const crashed = createStreamSlots({ redis: a.app.redis, maxPerUser: 2, leaseMs, log: a.app.log });
    const other = createStreamSlots({ redis: a.app.redis, maxPerUser: 2, leaseMs, log: a.app.log });
    try {
      const userId = randomUUID();
      expect(await crashed.acquire(userId)).toBeTypeOf('function');
      expect(await crashed.acquire(userId)).toBeTypeOf('function');
      // Well past the lease: still held, because the owner renews them.
      await new Promise((r) => setTimeout(r, leaseMs * 2));
      expect(await other.acquire(userId)).toBeUndefined();
      // The owner dies without releasing: its renewals stop and the slots expire.
      crashed.close();
      await eventually(async () => expect(await other.acquire(userId)).toBeTypeOf('function'), leaseMs * 4, 100);
    } finally {
      crashed.close();
      other.close();
    }
  });
});

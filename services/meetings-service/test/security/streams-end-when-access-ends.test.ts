import { randomUUID } from 'node:crypto';
import { publishRevocation } from '@authmeet/auth-tokens';
import { createRedisClient } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createMeeting, join, newUser } from '../factories.js';
import type { TestUser } from '../factories.js';
import { listenForStreams } from '../helpers/live-streams.js';
import type { LiveStreams } from '../helpers/live-streams.js';
import type { SseStream } from '../helpers/sse-client.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

// Finding: a live event stream outlived the access that opened it (logout, logout-all, password
// reset, account deletion, token expiry, leaving). Each ending must send `stream.closed` with its
// reason as the very last event, then end the response.

let ctx: MeetingsContext;
let live: LiveStreams;
let authRedis: RedisClient;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService({ SSE_HEARTBEAT_MS: '200' });
  live = await listenForStreams(ctx);
  // Plays the auth-service's part: revocations are written and published under the shared prefix.
  authRedis = createRedisClient({ ...ctx.config.redis, keyPrefix: ctx.config.revocation.keyPrefix });
  await authRedis.connect();
  host = await newUser(ctx.app, ctx.issuer);
});
afterEach(() => live.closeAll());
afterAll(async () => {
  authRedis.disconnect();
  await ctx.close();
});

/** What the auth-service does for each session on logout, logout-all, password reset and account deletion. */
const revoke = (userId: string, sid: string) =>
  publishRevocation(authRedis, ctx.config.revocation.keyPrefix, { sub: userId, sid, ttlSec: 960 });

async function session(user: TestUser, expSec?: number) {
  const sid = randomUUID();
  const token = await ctx.issuer.token(user.id, { sid, ...(expSec === undefined ? {} : { expSec }) });
  return { sid, headers: bearer(token) };
}

async function meetingWithGuest() {
  const m = await createMeeting(ctx.app, host);
  const guest = await newUser(ctx.app, ctx.issuer);
  expect((await join(ctx.app, guest, m.code)).statusCode).toBe(200);
  return { m, guest };
}

/** The stream's last event is `stream.closed` with `reason`, and the server ended the response. */
async function expectClosedWith(stream: SseStream, reason: string, timeoutMs = 3000) {
  const closed = await stream.next('stream.closed', timeoutMs);
  expect(closed.data).toEqual({ reason });
  expect(await stream.ended).toBe('done');
  expect(stream.events.at(-1)?.event).toBe('stream.closed');
  expect(stream.events.filter((e) => e.event === 'stream.closed')).toHaveLength(1);
}

async function expectStillOpen(stream: SseStream) {
  await new Promise((r) => setTimeout(r, 300));
  expect(stream.events.some((e) => e.event === 'stream.closed')).toBe(false);
}

describe('a stream ends when its session is revoked', () => {
  it('closes with reason "revoked" within 1 s; the user\'s other sessions and other users keep streaming', async () => {
    const { m, guest } = await meetingWithGuest();
    const doomed = await session(guest);
    const other = await session(guest);
    const revokedStream = await live.open(m.id, doomed.headers);
    const otherStream = await live.open(m.id, other.headers);
    const hostStream = await live.open(m.id, host.headers);
    expect([revokedStream.status, otherStream.status, hostStream.status]).toEqual([200, 200, 200]);

    const started = Date.now();
    await revoke(guest.id, doomed.sid);
    await revokedStream.next('stream.closed');
    expect(Date.now() - started).toBeLessThan(1000);
    await expectClosedWith(revokedStream, 'revoked');

    // The others are still live: a later event reaches them.
    const late = await newUser(ctx.app, ctx.issuer);
    await join(ctx.app, late, m.code);
    for (const s of [otherStream, hostStream]) {
      expect((await s.next('participant.joined')).data).toMatchObject({ participant: { userId: late.id } });
      expect(s.events.some((e) => e.event === 'stream.closed')).toBe(false);
    }
    expect(revokedStream.events.some((e) => e.event === 'participant.joined')).toBe(false);
  });

  it('logout-all (every session revoked at once) closes every stream of the user, on every meeting', async () => {
    const first = await meetingWithGuest();
    const second = await createMeeting(ctx.app, host);
    await join(ctx.app, first.guest, second.code);
    const sessions = await Promise.all([0, 1, 2].map(() => session(first.guest)));
    const streams = [
      await live.open(first.m.id, sessions[0]?.headers ?? {}),
      await live.open(second.id, sessions[1]?.headers ?? {}),
      await live.open(second.id, sessions[2]?.headers ?? {}),
    ];
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const hostStream = await live.open(second.id, host.headers);

    const started = Date.now();
    await Promise.all(sessions.map((s) => revoke(first.guest.id, s.sid)));
    await Promise.all(streams.map((s) => s.next('stream.closed')));
    expect(Date.now() - started).toBeLessThan(1000);
    for (const s of streams) await expectClosedWith(s, 'revoked');
    expect(hostStream.events.some((e) => e.event === 'stream.closed')).toBe(false);
  });

  it('sessions revoked while their streams are being opened never keep a stream', async () => {
    const { m, guest } = await meetingWithGuest();
    const sessions = await Promise.all(Array.from({ length: 10 }, () => session(guest)));
    // Each revocation lands at a different moment of its stream's opening (before the token
    // check, between it and the subscription, or just after): none may leave a live stream.
    // The last few wait for their stream's headers, so some streams are surely open when
    // revoked however slow the machine is.
    const streams = await Promise.all(
      sessions.map(async (s, i) => {
        const opening = live.open(m.id, s.headers);
        if (i >= 7) await opening;
        else await new Promise((r) => setTimeout(r, i * 20));
        await revoke(guest.id, s.sid);
        return opening;
      }),
    );
    expect(streams.slice(7).map((s) => s.status)).toEqual([200, 200, 200]);
    for (const stream of streams) {
      if (stream.status === 200) await expectClosedWith(stream, 'revoked');
      else expect(stream.status).toBe(401);
    }
  });
});

describe('a stream ends at its token\'s exp', () => {
  it('closes with reason "expired" when the access token expires, not before', async () => {
    const { m, guest } = await meetingWithGuest();
    const s = await session(guest, 2);
    const opened = Date.now();
    const stream = await live.open(m.id, s.headers);
    expect(stream.status).toBe(200);
    await stream.next('stream.closed', 6000);
    // exp is whole seconds, issued within the last second: 1–2 s after opening.
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    expect(Date.now() - opened).toBeLessThan(4000);
    await expectClosedWith(stream, 'expired');
  });
});

describe('a stream ends when its user is no longer in the meeting', () => {
  it('leaving closes the leaver\'s streams with reason "left"; the host\'s stream sees participant.left and stays', async () => {
    const { m, guest } = await meetingWithGuest();
    const guestStream = await live.open(m.id, guest.headers);
    const hostStream = await live.open(m.id, host.headers);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: guest.headers })).statusCode).toBe(204);
    await expectClosedWith(guestStream, 'left');
    expect((await hostStream.next('participant.left')).data).toMatchObject({ userId: guest.id });
    await expectStillOpen(hostStream);
  });

  it('participant.removed (published by the removal route on any replica) closes that user\'s streams with reason "removed"', async () => {
    const { m, guest } = await meetingWithGuest();
    const guestStream = await live.open(m.id, guest.headers);
    const hostStream = await live.open(m.id, host.headers);
    // The wire format every replica publishes on the meeting's channel.
    const channel = `${ctx.config.redis.keyPrefix}meeting:${m.id}:events`;
    const event = {
      id: randomUUID(),
      type: 'participant.removed',
      data: { meetingId: m.id, userId: guest.id, removedAt: new Date().toISOString(), participantCount: 1 },
    };
    await ctx.app.redis.publish(channel, JSON.stringify(event));
    await expectClosedWith(guestStream, 'removed');
    expect((await hostStream.next('participant.removed')).data).toMatchObject({ userId: guest.id });
    await expectStillOpen(hostStream);
  });

  it('ending the meeting sends meeting.ended, then stream.closed with reason "ended", to every stream', async () => {
    const { m, guest } = await meetingWithGuest();
    const streams = [await live.open(m.id, guest.headers), await live.open(m.id, host.headers)];
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers })).statusCode).toBe(200);
    for (const s of streams) {
      await expectClosedWith(s, 'ended');
      expect(s.events.map((e) => e.event).slice(-2)).toEqual(['meeting.ended', 'stream.closed']);
    }
  });

  it('a stream opened on an ended meeting ends at once with reason "ended"', async () => {
    const m = await createMeeting(ctx.app, host);
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    const stream = await live.open(m.id, host.headers);
    await expectClosedWith(stream, 'ended');
  });
});

describe('a revocation published while the replica\'s subscription was down', () => {
  it('still ends the stream once the replica has re-subscribed (open sessions are re-checked)', async () => {
    const replica = await startMeetingsService({ SSE_HEARTBEAT_MS: '200' }, { share: ctx });
    try {
      const onReplica = await listenForStreams(replica);
      const { m, guest } = await meetingWithGuest();
      const s = await session(guest);
      const stream = await onReplica.open(m.id, s.headers);
      expect(stream.status).toBe(200);
      // Cut the replica's subscriber connection and revoke while it is down: the message is lost.
      const subscriber = replica.app.redisSubscriber;
      const down = new Promise((resolve) => subscriber.once('close', resolve));
      subscriber.disconnect(true);
      await down;
      await revoke(guest.id, s.sid);
      await expectClosedWith(stream, 'revoked', 5000);
      onReplica.closeAll();
    } finally {
      await replica.close();
    }
  });
});

import type { AddressInfo } from 'node:net';
import { countSubscribers } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, join, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { openSse } from './helpers/sse-client.js';
import type { SseStream } from './helpers/sse-client.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

// Two replicas on one database and one Redis: a stream on A must see changes made through B.
let a: MeetingsContext;
let b: MeetingsContext;
let baseA: string;
let host: TestUser;
const streams: SseStream[] = [];

beforeAll(async () => {
  a = await startMeetingsService({ SSE_HEARTBEAT_MS: '200' });
  b = await startMeetingsService({ SSE_HEARTBEAT_MS: '200' }, { share: a });
  await a.app.listen({ port: 0, host: '127.0.0.1' });
  baseA = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
  host = await newUser(a.app, a.issuer);
});
afterAll(async () => {
  for (const s of streams) s.close();
  await b.close();
  await a.close();
});

async function subscribe(meetingId: string, user: TestUser): Promise<SseStream> {
  const s = await openSse(`${baseA}/v1/meetings/${meetingId}/events`, user.headers);
  streams.push(s);
  return s;
}

describe('GET /v1/meetings/{id}/events', () => {
  it('delivers participant.joined, participant.left and meeting.ended made on another replica, then closes', async () => {
    const m = await createMeeting(b.app, host);
    const stream = await subscribe(m.id, host);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('x-request-id')).toBeTruthy();

    const guest = await newUser(b.app, b.issuer);
    expect((await join(b.app, guest, m.code)).statusCode).toBe(200);
    const joined = await stream.next('participant.joined');
    expect(joined.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(joined.data).toMatchObject({ meetingId: m.id, participantCount: 2, participant: { userId: guest.id, username: guest.username, role: 'participant' } });

    await b.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: guest.headers });
    expect((await stream.next('participant.left')).data).toMatchObject({ meetingId: m.id, userId: guest.id, participantCount: 1 });

    await b.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    expect((await stream.next('meeting.ended')).data).toMatchObject({ meetingId: m.id, reason: 'ended', endedAt: expect.any(String) });
    expect(await stream.ended).toBe('done');
    expect(new Set(stream.events.map((e) => e.id)).size).toBe(stream.events.length);
  });

  it('sends heartbeats as comments', async () => {
    const m = await createMeeting(a.app, host);
    const stream = await subscribe(m.id, host);
    const deadline = Date.now() + 2000;
    while (!stream.comments.includes('ping') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stream.comments).toContain('ping');
    stream.close();
  });

  it('participants may subscribe; outsiders get 404 and no stream', async () => {
    const m = await createMeeting(a.app, host);
    const guest = await newUser(a.app, a.issuer);
    const outsider = await newUser(a.app, a.issuer);
    await join(a.app, guest, m.code);
    const ok = await subscribe(m.id, guest);
    expect(ok.status).toBe(200);
    const refused = await fetch(`${baseA}/v1/meetings/${m.id}/events`, { headers: outsider.headers });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await refused.json()) as { code: string }).code).toBe('NOT_FOUND');
    const anonymous = await fetch(`${baseA}/v1/meetings/${m.id}/events`);
    expect(anonymous.status).toBe(401);
    await anonymous.text();
    ok.close();
  });

  it('a deleted meeting sends meeting.ended to its streams and closes them', async () => {
    const m = await createMeeting(a.app, host);
    const first = await subscribe(m.id, host);
    const second = await subscribe(m.id, host);
    expect((await b.app.inject({ method: 'DELETE', url: `/v1/meetings/${m.id}`, headers: host.headers })).statusCode).toBe(204);
    for (const s of [first, second]) {
      expect((await s.next('meeting.ended')).data).toMatchObject({ meetingId: m.id, reason: 'deleted' });
      expect(await s.ended).toBe('done');
    }
  });

  it('subscribing to an already ended meeting answers meeting.ended at once', async () => {
    const m = await createMeeting(a.app, host);
    await a.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    const s = await subscribe(m.id, host);
    expect((await s.next('meeting.ended')).data).toMatchObject({ reason: 'ended' });
    expect(await s.ended).toBe('done');
  });

  it('streams share one subscriber connection and are closed cleanly when the app closes', async () => {
    const c = await startMeetingsService({}, { share: a });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
    const m = await createMeeting(c.app, host);
    const opened = await Promise.all([0, 1, 2].map(() => openSse(`${base}/v1/meetings/${m.id}/events`, host.headers)));
    expect(opened.every((s) => s.status === 200)).toBe(true);
    // Three streams, one subscription: PUBSUB NUMSUB counts connections subscribed to the channel.
    const channel = `${c.config.redis.keyPrefix}meeting:${m.id}:events`;
    const numsub = () => countSubscribers(channel);
    expect(await numsub()).toBe(1);
    const started = Date.now();
    await c.close();
    expect(await Promise.all(opened.map((s) => s.ended))).toEqual(['done', 'done', 'done']);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await numsub()).toBe(0);
  });
});

// A replica of its own: these tests cut its subscriber connection.
describe('the subscriber connection drops', () => {
  let c: MeetingsContext;
  let baseC: string;
  beforeAll(async () => {
    c = await startMeetingsService({}, { share: a });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    baseC = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await c.close();
  });

  async function openOnC(meetingId: string): Promise<{ stream: SseStream; channel: string }> {
    const stream = await openSse(`${baseC}/v1/meetings/${meetingId}/events`, host.headers);
    expect(stream.status).toBe(200);
    return { stream, channel: `${c.config.redis.keyPrefix}meeting:${meetingId}:events` };
  }

  it('open streams keep receiving events after the subscriber connection drops and comes back', async () => {
    const m = await createMeeting(b.app, host);
    const { stream, channel } = await openOnC(m.id);
    expect(await countSubscribers(channel)).toBe(1);
    const subscriber = c.app.redisSubscriber;
    const back = new Promise((resolve) => subscriber.once('ready', resolve));
    subscriber.disconnect(true);
    await back;
    await expect.poll(() => countSubscribers(channel), { timeout: 3000 }).toBe(1);
    const guest = await newUser(b.app, b.issuer);
    expect((await join(b.app, guest, m.code)).statusCode).toBe(200);
    expect((await stream.next('participant.joined')).data).toMatchObject({ meetingId: m.id, participant: { userId: guest.id } });
    stream.close();
  });

  // Last in this block: it leaves the replica's subscriber closed, as a shutdown would.
  it('a re-subscription cut short by a shutdown is not an unhandled rejection', async () => {
    const m = await createMeeting(b.app, host);
    const { stream } = await openOnC(m.id);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const subscriber = c.app.redisSubscriber;
      // Enough channels that the re-subscription's answer takes a while to arrive.
      await subscriber.subscribe(...Array.from({ length: 5000 }, (_, i) => `${c.config.redis.keyPrefix}test:busy:${i}`));
      const ended = new Promise((resolve) => subscriber.once('end', resolve));
      // Reconnected, SUBSCRIBE just sent and not yet answered: close for good.
      subscriber.once('ready', () => subscriber.disconnect());
      subscriber.disconnect(true);
      await ended;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      stream.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, join, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { listenForStreams } from './helpers/live-streams.js';
import type { LiveStreams } from './helpers/live-streams.js';
import type { SseStream } from './helpers/sse-client.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

/**
 * The event stream writes its answer on the raw response (the reply is hijacked), so no onSend
 * hook runs for it: these tests check on the wire that it still carries every header an ordinary
 * answer of the same service carries, that the request is still counted, and that the one
 * heartbeat timer shared by all streams pings each of them and ends none.
 */
const ORIGIN = 'https://app.example';
const HEARTBEAT_MS = 150;
let ctx: MeetingsContext;
let live: LiveStreams;
let base: string;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService({ SSE_HEARTBEAT_MS: String(HEARTBEAT_MS), CORS_ORIGINS: ORIGIN });
  live = await listenForStreams(ctx);
  base = live.base;
  host = await newUser(ctx.app, ctx.issuer);
});
afterAll(async () => {
  live.closeAll();
  await ctx.close();
});

const open = (meetingId: string, user: TestUser, headers: Record<string, string> = {}): Promise<SseStream> =>
  live.open(meetingId, { ...user.headers, ...headers });

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the event stream\'s head', () => {
  it('has every header of an ordinary answer (security, CORS, request id, no-store) and its own', async () => {
    const m = await createMeeting(ctx.app, host);
    const plain = await fetch(`${base}/v1/meetings/${m.id}`, { headers: { ...host.headers, origin: ORIGIN } });
    expect(plain.status).toBe(200);
    await plain.text();
    const stream = await open(m.id, host, { origin: ORIGIN, 'x-request-id': 'stream-wire-1' });
    expect(stream.status).toBe(200);

    // Helmet's headers (whichever way they are set), CORS for an allowed origin, x-request-id.
    const bodyHeaders = new Set(['content-type', 'content-length', 'etag', 'transfer-encoding', 'x-request-id', 'date', 'keep-alive', 'connection']);
    const expected = [...plain.headers.keys()].filter((name) => !bodyHeaders.has(name));
    expect(expected).toEqual(expect.arrayContaining(['x-content-type-options', 'strict-transport-security', 'x-frame-options', 'cross-origin-resource-policy', 'access-control-allow-origin', 'access-control-expose-headers', 'cache-control']));
    // Every one is there; values too, but for what changes per request or is the stream's own.
    const varying = new Set(['x-ratelimit-remaining', 'x-ratelimit-reset', 'cache-control']);
    for (const name of expected) {
      expect([name, stream.headers.has(name)]).toEqual([name, true]);
      if (!varying.has(name)) expect([name, stream.headers.get(name)]).toEqual([name, plain.headers.get(name)]);
    }

    expect(stream.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(stream.headers.get('x-request-id')).toBe('stream-wire-1');
    expect(stream.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    stream.close();
  });

  it('gives no CORS access to an origin not listed', async () => {
    const m = await createMeeting(ctx.app, host);
    const stream = await open(m.id, host, { origin: 'https://evil.example' });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('access-control-allow-origin')).toBeNull();
    stream.close();
  });

  it('is counted in the request metrics once the stream ends', async () => {
    const m = await createMeeting(ctx.app, host);
    const stream = await open(m.id, host);
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    expect(await stream.ended).toBe('done');
    await wait(50);
    const text = await ctx.app.metrics.getSingleMetricAsString('http_request_duration_seconds');
    const counted = text.split('\n').find((line) => line.startsWith('http_request_duration_seconds_count') && line.includes('route="/v1/meetings/:id/events"') && line.includes('status="200"'));
    expect(Number(counted?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });
});

describe('the shared heartbeat', () => {
  it('pings every open stream at least once per interval, and keeps pinging the rest when one goes', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    await join(ctx.app, guest, m.code);
    const first = await open(m.id, host);
    const second = await open(m.id, guest);
    await wait(HEARTBEAT_MS * 4);
    const count = (s: SseStream) => s.comments.filter((c) => c === 'ping').length;
    expect(count(first)).toBeGreaterThanOrEqual(2);
    expect(count(second)).toBeGreaterThanOrEqual(2);

    first.close();
    expect(await first.ended).toBe('error');
    const before = count(second);
    await wait(HEARTBEAT_MS * 4);
    expect(count(second)).toBeGreaterThanOrEqual(before + 2);

    // Pings end nothing: the stream still delivers, and ends only with the meeting.
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    expect((await second.next('meeting.ended')).data).toMatchObject({ meetingId: m.id });
    expect(await second.ended).toBe('done');
    const last = second.events.at(-1);
    expect(last?.event).toBe('stream.closed');
  });

  it('stops pinging a stream that ended, and pings streams opened after all others ended', async () => {
    const m = await createMeeting(ctx.app, host);
    const s = await open(m.id, host);
    await wait(HEARTBEAT_MS * 2);
    s.close();
    await wait(HEARTBEAT_MS * 2);
    const again = await open(m.id, host);
    await wait(HEARTBEAT_MS * 3);
    expect(again.comments.filter((c) => c === 'ping').length).toBeGreaterThanOrEqual(2);
    again.close();
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, expectProblem, join, newUser } from '../factories.js';
import type { TestUser } from '../factories.js';
import { listenForStreams } from '../helpers/live-streams.js';
import type { LiveStreams } from '../helpers/live-streams.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

// Finding: someone who had left a meeting kept reading its live stream and its participant list
// (names of everyone who joins later). api.md: those are for the host and CURRENT participants.
// A past participant still reads the meeting itself, so the meeting's existence is no secret to
// them: they get 403 FORBIDDEN (a member without the right), while outsiders keep getting 404.

let ctx: MeetingsContext;
let live: LiveStreams;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService();
  live = await listenForStreams(ctx);
  host = await newUser(ctx.app, ctx.issuer);
});
afterEach(() => live.closeAll());
afterAll(async () => ctx.close());

const onlyCurrent = 'Only current participants can follow this meeting';

const get = (url: string, user: TestUser) => ctx.app.inject({ method: 'GET', url, headers: user.headers });

describe('a participant who left', () => {
  it('cannot open the event stream or read the participant list (403), but still reads the meeting', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    await join(ctx.app, guest, m.code);
    expect((await get(`/v1/meetings/${m.id}/participants`, guest)).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: guest.headers })).statusCode).toBe(204);

    expect(expectProblem(await get(`/v1/meetings/${m.id}/participants`, guest), 403, 'FORBIDDEN').detail).toBe(onlyCurrent);
    const stream = await fetch(`${live.base}/v1/meetings/${m.id}/events`, { headers: guest.headers });
    expect(stream.status).toBe(403);
    expect(stream.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await stream.json()).toMatchObject({ code: 'FORBIDDEN', detail: onlyCurrent });
    expect((await get(`/v1/meetings/${m.id}`, guest)).statusCode).toBe(200);

    // The host and current participants still read both.
    expect((await get(`/v1/meetings/${m.id}/participants`, host)).statusCode).toBe(200);
    expect((await live.open(m.id, host.headers)).status).toBe(200);
  });

  it('reads them again after rejoining; outsiders get 404 throughout', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    const outsider = await newUser(ctx.app, ctx.issuer);
    await join(ctx.app, guest, m.code);
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: guest.headers });
    expectProblem(await get(`/v1/meetings/${m.id}/participants`, guest), 403, 'FORBIDDEN');
    expect((await join(ctx.app, guest, m.code)).statusCode).toBe(200);
    expect((await get(`/v1/meetings/${m.id}/participants`, guest)).statusCode).toBe(200);
    expect((await live.open(m.id, guest.headers)).status).toBe(200);

    expectProblem(await get(`/v1/meetings/${m.id}/participants`, outsider), 404, 'NOT_FOUND');
    const refused = await fetch(`${live.base}/v1/meetings/${m.id}/events`, { headers: outsider.headers });
    expect(refused.status).toBe(404);
    await refused.text();
  });

  it('a meeting that does not exist is 404 to everyone, like one they are no member of', async () => {
    const missing = randomUUID();
    const user = await newUser(ctx.app, ctx.issuer);
    expect(expectProblem(await get(`/v1/meetings/${missing}/participants`, user), 404, 'NOT_FOUND').detail).toBe('No such meeting');
    const refused = await fetch(`${live.base}/v1/meetings/${missing}/events`, { headers: user.headers });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'NOT_FOUND', detail: 'No such meeting' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, expectProblem, join, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService({ DATABASE_POOL_SIZE: '8' });
  host = await newUser(ctx.app, ctx.issuer);
});
afterAll(async () => ctx.close());

const participantCount = async (id: string) =>
  (await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${id}`, headers: host.headers })).json().participantCount as number;

describe('POST /v1/meetings/join', () => {
  it('joins by code and answers the meeting and the participation', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer, { firstName: 'Grace', lastName: 'Hopper' });
    const res = await join(ctx.app, guest, m.code);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      meeting: expect.objectContaining({ id: m.id, participantCount: 2, status: 'active' }),
      participant: { userId: guest.id, username: guest.username, firstName: 'Grace', lastName: 'Hopper', avatarUrl: null, role: 'participant', joinedAt: expect.any(String), leftAt: null },
    });
  });

  it('is idempotent: joining twice returns the same participation and counts once', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    const first = (await join(ctx.app, guest, m.code)).json();
    const second = await join(ctx.app, guest, m.code);
    expect(second.statusCode).toBe(200);
    expect(second.json().participant).toEqual(first.participant);
    expect(second.json().meeting.participantCount).toBe(2);
    // The host "joining" their own meeting is the same idempotent answer.
    const hostJoin = await join(ctx.app, host, m.code);
    expect(hostJoin.json().participant).toMatchObject({ userId: host.id, role: 'host' });
    expect(await participantCount(m.id)).toBe(2);
  });

  it('accepts a code typed with capitals and blanks', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    expect((await join(ctx.app, guest, `  ${m.code.toUpperCase()} `)).statusCode).toBe(200);
  });

  it('lets someone who left join again', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    const first = (await join(ctx.app, guest, m.code)).json();
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: guest.headers });
    expect(await participantCount(m.id)).toBe(1);
    const again = await join(ctx.app, guest, m.code);
    expect(again.statusCode).toBe(200);
    expect(again.json().participant.leftAt).toBeNull();
    expect(Date.parse(again.json().participant.joinedAt)).toBeGreaterThanOrEqual(Date.parse(first.participant.joinedAt));
    expect(await participantCount(m.id)).toBe(2);
  });

  it('404 for an unknown code, 400 for a malformed one', async () => {
    const guest = await newUser(ctx.app, ctx.issuer);
    expectProblem(await join(ctx.app, guest, 'zzz-zzzz-zzz'), 404, 'NOT_FOUND');
    for (const code of ['abc', 'abc-defg-hi1', 'abcd-efg-hij', 'abc_defg_hij', '']) {
      const body = expectProblem(await join(ctx.app, guest, code), 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual([expect.objectContaining({ path: 'code' })]);
    }
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/meetings/join', headers: guest.headers, payload: {} }), 400, 'VALIDATION_FAILED');
  });

  it('409 MEETING_ENDED for an ended meeting, for newcomers and members alike', async () => {
    const m = await createMeeting(ctx.app, host);
    const member = await newUser(ctx.app, ctx.issuer);
    await join(ctx.app, member, m.code);
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/end`, headers: host.headers });
    expectProblem(await join(ctx.app, await newUser(ctx.app, ctx.issuer), m.code), 409, 'MEETING_ENDED');
    expectProblem(await join(ctx.app, member, m.code), 409, 'MEETING_ENDED');
  });

  it('409 MEETING_FULL once every seat is taken; a member still gets their participation', async () => {
    const m = await createMeeting(ctx.app, host, { maxParticipants: 2 });
    const a = await newUser(ctx.app, ctx.issuer);
    expect((await join(ctx.app, a, m.code)).statusCode).toBe(200);
    expectProblem(await join(ctx.app, await newUser(ctx.app, ctx.issuer), m.code), 409, 'MEETING_FULL');
    expect((await join(ctx.app, a, m.code)).statusCode).toBe(200);
    // A seat freed by leaving can be taken again.
    await ctx.app.inject({ method: 'POST', url: `/v1/meetings/${m.id}/leave`, headers: a.headers });
    expect((await join(ctx.app, await newUser(ctx.app, ctx.issuer), m.code)).statusCode).toBe(200);
  });

  it('20 concurrent joins for the last 5 seats: exactly 5 succeed, 15 are MEETING_FULL, the count is exact', async () => {
    const m = await createMeeting(ctx.app, host, { maxParticipants: 8 });
    for (let i = 0; i < 2; i += 1) expect((await join(ctx.app, await newUser(ctx.app, ctx.issuer), m.code)).statusCode).toBe(200);
    const crowd = await Promise.all(Array.from({ length: 20 }, () => newUser(ctx.app, ctx.issuer)));
    const results = await Promise.all(crowd.map((u) => join(ctx.app, u, m.code)));
    const ok = results.filter((r) => r.statusCode === 200);
    const full = results.filter((r) => r.statusCode === 409 && r.json().code === 'MEETING_FULL');
    expect(ok).toHaveLength(5);
    expect(full).toHaveLength(15);
    expect(await participantCount(m.id)).toBe(8);
    const parts = (await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${m.id}/participants?limit=100`, headers: host.headers })).json();
    expect(parts.items).toHaveLength(8);
  });

  it('concurrent duplicate joins of one user count once', async () => {
    const m = await createMeeting(ctx.app, host);
    const guest = await newUser(ctx.app, ctx.issuer);
    const results = await Promise.all(Array.from({ length: 8 }, () => join(ctx.app, guest, m.code)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.json().participant.joinedAt)).size).toBe(1);
    expect(await participantCount(m.id)).toBe(2);
  });

  it('a scheduled meeting becomes active with the first join after its time', async () => {
    let now = Date.now();
    const clocked = await startMeetingsService({}, { share: ctx, overrides: { clock: () => now } });
    try {
      const m = await createMeeting(clocked.app, host, { scheduledFor: new Date(now + 60_000).toISOString() });
      const early = await newUser(clocked.app, ctx.issuer);
      const res = await join(clocked.app, early, m.code);
      expect(res.json().meeting).toMatchObject({ status: 'scheduled', startedAt: null });
      now += 120_000;
      const late = await join(clocked.app, await newUser(clocked.app, ctx.issuer), m.code);
      expect(late.json().meeting).toMatchObject({ status: 'active', startedAt: new Date(now).toISOString() });
    } finally {
      await clocked.close();
    }
  });
});

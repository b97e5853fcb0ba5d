import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting, expectProblem, join, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let host: TestUser;
let guest: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService();
  [host, guest, outsider] = await Promise.all([newUser(ctx.app, ctx.issuer), newUser(ctx.app, ctx.issuer), newUser(ctx.app, ctx.issuer)]);
});
afterAll(async () => ctx.close());

/** The refusal's wording for a participant who is neither the host nor holds the role's permission. */
const onlyTheHost = 'Only the host, or a role allowed to, can do this';

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, user: TestUser, payload?: Record<string, unknown>) =>
  payload === undefined ? ctx.app.inject({ method, url, headers: user.headers }) : ctx.app.inject({ method, url, headers: user.headers, payload });

describe('POST /v1/meetings', () => {
  it('creates an active meeting with the caller as host and first participant', async () => {
    const before = Date.now();
    const m = await createMeeting(ctx.app, host, { title: '  Weekly sync ', description: 'Agenda' });
    expect(m).toMatchObject({ title: 'Weekly sync', description: 'Agenda', hostId: host.id, status: 'active', participantCount: 1, maxParticipants: 100, scheduledFor: null, endedAt: null });
    expect(m.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(Date.parse(String(m.startedAt))).toBeGreaterThanOrEqual(before - 5);
    const parts = (await req('GET', `/v1/meetings/${m.id}/participants`, host)).json();
    expect(parts.items).toEqual([expect.objectContaining({ userId: host.id, role: 'host', username: host.username, leftAt: null })]);
  });

  it('is scheduled when scheduledFor is in the future, active when it has passed', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = await createMeeting(ctx.app, host, { scheduledFor: future, maxParticipants: 10 });
    expect(later).toMatchObject({ status: 'scheduled', scheduledFor: future, startedAt: null, maxParticipants: 10 });
    const past = await createMeeting(ctx.app, host, { scheduledFor: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe('active');
    expect(past.startedAt).not.toBeNull();
  });

  it('refuses bad input field by field', async () => {
    const res = await req('POST', '/v1/meetings', host, { title: '', maxParticipants: 1, scheduledFor: 'tomorrow' });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    const paths = (body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['maxParticipants', 'scheduledFor', 'title']);
    expectProblem(await req('POST', '/v1/meetings', host, { title: 'x'.repeat(201) }), 400, 'VALIDATION_FAILED');
    expectProblem(await req('POST', '/v1/meetings', host, { title: 'ok', maxParticipants: 1001 }), 400, 'VALIDATION_FAILED');
  });

  it('requires a valid bearer token', async () => {
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/meetings', payload: { title: 'x' } }), 401, 'UNAUTHENTICATED');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: { authorization: 'Bearer abc.def.ghi' } }), 401, 'TOKEN_INVALID');
    const expired = await ctx.issuer.token(host.id, { expSec: -60 });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: { authorization: `Bearer ${expired}` } }), 401, 'TOKEN_EXPIRED');
  });
});

describe('GET /v1/meetings/{id}', () => {
  it('answers the host and participants, 404 to outsiders (no data, never 403)', async () => {
    const m = await createMeeting(ctx.app, host);
    expect((await join(ctx.app, guest, m.code)).statusCode).toBe(200);
    for (const user of [host, guest]) {
      const res = await req('GET', `/v1/meetings/${m.id}`, user);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: m.id, code: m.code, participantCount: 2 });
    }
    const res = await req('GET', `/v1/meetings/${m.id}`, outsider);
    const body = expectProblem(res, 404, 'NOT_FOUND');
    expect(JSON.stringify(body)).not.toContain(m.code);
    expectProblem(await req('GET', '/v1/meetings/0190a0b0-0000-7000-8000-000000000000', host), 404, 'NOT_FOUND');
  });

  it('a bad uuid is a 400', async () => {
    const body = expectProblem(await req('GET', '/v1/meetings/not-a-uuid', host), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'id' })]);
    expectProblem(await req('POST', '/v1/meetings/123/end', host), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /v1/meetings (mine)', () => {
  it('lists by role and status, newest first, with cursor pages and no repeats', async () => {
    const me = await newUser(ctx.app, ctx.issuer);
    const other = await newUser(ctx.app, ctx.issuer);
    const hosted = [];
    for (let i = 0; i < 5; i += 1) hosted.push(await createMeeting(ctx.app, me, { title: `mine ${i}` }));
    const joined = [];
    for (let i = 0; i < 2; i += 1) {
      const m = await createMeeting(ctx.app, other, { title: `theirs ${i}` });
      expect((await join(ctx.app, me, m.code)).statusCode).toBe(200);
      joined.push(m);
    }
    await req('POST', `/v1/meetings/${hosted[0]?.id}/end`, me);

    const all = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages += 1) {
        const res = await req('GET', `/v1/meetings?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, me);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(2);
        ids.push(...body.items.map((m) => m.id));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      return ids;
    };
    expect(await all('role=host')).toEqual(hosted.map((m) => m.id).reverse());
    expect(await all('role=participant')).toEqual(joined.map((m) => m.id).reverse());
    expect(await all('role=any')).toEqual([...joined.map((m) => m.id).reverse(), ...hosted.map((m) => m.id).reverse()]);
    expect(await all('role=host&status=ended')).toEqual([hosted[0]?.id]);
    expect(await all('status=active')).toHaveLength(6);

    const first = (await req('GET', '/v1/meetings', me)).json();
    expect(first.items).toHaveLength(7);
    expect(first.nextCursor).toBeNull();
  });

  it('refuses a bad limit, role, status or cursor with 400', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'role=owner', 'status=done', 'cursor=@@@', 'cursor=eyJ4IjoxfQ']) {
      expectProblem(await req('GET', `/v1/meetings?${q}`, host), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('leave, end and delete', () => {
  it('leave: 204 for a participant (twice too), 409 for the host, 404 for an outsider', async () => {
    const m = await createMeeting(ctx.app, host);
    await join(ctx.app, guest, m.code);
    expect((await req('POST', `/v1/meetings/${m.id}/leave`, guest)).statusCode).toBe(204);
    expect((await req('POST', `/v1/meetings/${m.id}/leave`, guest)).statusCode).toBe(204);
    expect((await req('GET', `/v1/meetings/${m.id}`, host)).json().participantCount).toBe(1);
    // The list is for current participants (test/security/only-current-participants-read-live-data.test.ts).
    const parts = (await req('GET', `/v1/meetings/${m.id}/participants`, host)).json();
    expect(parts.items.find((p: { userId: string }) => p.userId === guest.id).leftAt).not.toBeNull();
    expectProblem(await req('POST', `/v1/meetings/${m.id}/leave`, host), 409, 'HOST_CANNOT_LEAVE');
    expectProblem(await req('POST', `/v1/meetings/${m.id}/leave`, outsider), 404, 'NOT_FOUND');
  });

  it('end: host only (403 participant, 404 outsider), idempotent, then joins are refused', async () => {
    const m = await createMeeting(ctx.app, host);
    await join(ctx.app, guest, m.code);
    expect(expectProblem(await req('POST', `/v1/meetings/${m.id}/end`, guest), 403, 'FORBIDDEN').detail).toBe(onlyTheHost);
    expect(expectProblem(await req('POST', `/v1/meetings/${m.id}/end`, outsider), 404, 'NOT_FOUND').detail).toBe('No such meeting');
    const ended = await req('POST', `/v1/meetings/${m.id}/end`, host);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ id: m.id, status: 'ended', endedAt: expect.any(String) });
    const again = await req('POST', `/v1/meetings/${m.id}/end`, host);
    expect(again.statusCode).toBe(200);
    expect(again.json().endedAt).toBe(ended.json().endedAt);
    expectProblem(await join(ctx.app, outsider, m.code), 409, 'MEETING_ENDED');
  });

  it('delete: host only (403 participant, 404 outsider), then the meeting is gone', async () => {
    const m = await createMeeting(ctx.app, host);
    await join(ctx.app, guest, m.code);
    expect(expectProblem(await req('DELETE', `/v1/meetings/${m.id}`, guest), 403, 'FORBIDDEN').detail).toBe(onlyTheHost);
    expect(expectProblem(await req('DELETE', `/v1/meetings/${m.id}`, outsider), 404, 'NOT_FOUND').detail).toBe('No such meeting');
    expect((await req('DELETE', `/v1/meetings/${m.id}`, host)).statusCode).toBe(204);
    expectProblem(await req('GET', `/v1/meetings/${m.id}`, host), 404, 'NOT_FOUND');
    expectProblem(await req('DELETE', `/v1/meetings/${m.id}`, host), 404, 'NOT_FOUND');
    expectProblem(await join(ctx.app, guest, m.code), 404, 'NOT_FOUND');
  });
});

describe('GET /v1/meetings/{id}/participants', () => {
  it('pages participants in joining order for members; 404 for outsiders', async () => {
    const m = await createMeeting(ctx.app, host);
    const people = [guest];
    for (let i = 0; i < 3; i += 1) people.push(await newUser(ctx.app, ctx.issuer, { firstName: `P${i}`, lastName: null }));
    for (const p of people) expect((await join(ctx.app, p, m.code)).statusCode).toBe(200);
    const seen: { userId: string; role: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await req('GET', `/v1/meetings/${m.id}/participants?limit=2${cursor ? `&cursor=${cursor}` : ''}`, guest);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((p) => p.userId)).toEqual([host.id, ...people.map((p) => p.id)]);
    expect(seen[0]).toMatchObject({ role: 'host', username: host.username, firstName: 'Ada', lastName: 'Lovelace', leftAt: null });
    expect(seen[2]).toMatchObject({ role: 'participant', firstName: 'P0', lastName: null });
    expectProblem(await req('GET', `/v1/meetings/${m.id}/participants`, outsider), 404, 'NOT_FOUND');
    expectProblem(await req('GET', `/v1/meetings/${m.id}/participants?limit=0`, host), 400, 'VALIDATION_FAILED');
  });
});

describe('meeting codes', () => {
  it('a colliding code is drawn again (unique index, P2002)', async () => {
    const codes = ['kkk-kkkk-kkk', 'kkk-kkkk-kkk', 'kkk-kkkk-kkk', 'mmm-mmmm-mmm'];
    const drawn: string[] = [];
    const generateCode = () => {
      const code = codes.shift() ?? 'zzz-zzzz-zzz';
      drawn.push(code);
      return code;
    };
    const replica = await startMeetingsService({}, { share: ctx, overrides: { generateCode } });
    try {
      expect((await createMeeting(replica.app, host)).code).toBe('kkk-kkkk-kkk');
      expect((await createMeeting(replica.app, host)).code).toBe('mmm-mmmm-mmm');
      expect(drawn).toEqual(['kkk-kkkk-kkk', 'kkk-kkkk-kkk', 'kkk-kkkk-kkk', 'mmm-mmmm-mmm']);
    } finally {
      await replica.close();
    }
  });

  it('codes come from the whole alphabet, in the abc-defg-hij shape', async () => {
    const { generateMeetingCode } = await import('../src/modules/meetings/meeting-code.js');
    const codes = Array.from({ length: 2000 }, generateMeetingCode);
    for (const c of codes) expect(c).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(new Set(codes.join('').replaceAll('-', '')).size).toBe(26);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

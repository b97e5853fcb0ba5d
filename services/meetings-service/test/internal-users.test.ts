import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createMeeting, expectProblem, join, newUser, serviceKey, userData } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let sql: pg.Client;

beforeAll(async () => {
  ctx = await startMeetingsService();
  sql = new pg.Client({ connectionString: ctx.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await ctx.close();
});

const put = (id: string, payload: unknown, headers: Record<string, string> = serviceKey) =>
  ctx.app.inject({ method: 'PUT', url: `/internal/v1/users/${id}`, headers, payload: payload as Record<string, unknown> });
const del = (id: string, query = '', headers: Record<string, string> = serviceKey) =>
  ctx.app.inject({ method: 'DELETE', url: `/internal/v1/users/${id}${query}`, headers });
const row = async (id: string) => (await sql.query('SELECT * FROM users WHERE id = $1', [id])).rows[0] as Record<string, unknown> | undefined;

describe('internal user routes: access', () => {
  it('refuse no key, a wrong key and a user access token with 401', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const url = `/internal/v1/users/${user.id}`;
    for (const headers of [{}, { 'x-service-key': 'wrong' }, { 'x-service-key': '' }, bearer(user.token), { ...bearer(user.token), 'x-service-key': 'nope' }]) {
      expectProblem(await ctx.app.inject({ method: 'PUT', url, headers, payload: userData() }), 401, 'UNAUTHENTICATED');
      expectProblem(await ctx.app.inject({ method: 'DELETE', url, headers }), 401, 'UNAUTHENTICATED');
    }
    expect((await row(user.id))?.is_active).toBe(true);
  });

  it('accept every configured key (rotation)', async () => {
    const id = randomUUID();
    expect((await put(id, userData(), { 'x-service-key': 'second-key-for-rotation' })).json()).toEqual({ applied: true });
  });

  it('validate the body and the id', async () => {
    expectProblem(await put('not-a-uuid', userData()), 400, 'VALIDATION_FAILED');
    expectProblem(await put(randomUUID(), { ...userData(), version: 0 }), 400, 'VALIDATION_FAILED');
    expectProblem(await put(randomUUID(), { email: 'x@example.com' }), 400, 'VALIDATION_FAILED');
    expectProblem(await del(randomUUID(), '?version=-1'), 400, 'VALIDATION_FAILED');
  });
});

describe('PUT /internal/v1/users/{id}', () => {
  it('inserts, applies newer versions, ignores stale or equal ones', async () => {
    const id = randomUUID();
    const v2 = userData({ version: 2, firstName: 'Two' });
    expect((await put(id, v2)).json()).toEqual({ applied: true });
    expect(await row(id)).toMatchObject({ email: v2.email, first_name: 'Two', version: 2 });
    expect((await put(id, userData({ version: 1, firstName: 'One' }))).json()).toEqual({ applied: false });
    expect((await put(id, userData({ version: 2, firstName: 'Again' }))).json()).toEqual({ applied: false });
    expect(await row(id)).toMatchObject({ first_name: 'Two', version: 2 });
    const v3 = userData({ version: 3, firstName: 'Three', isActive: false });
    expect((await put(id, v3)).json()).toEqual({ applied: true });
    expect(await row(id)).toMatchObject({ first_name: 'Three', is_active: false, username: v3.username, version: 3 });
  });

  it('concurrent deliveries never move the version backwards', async () => {
    const id = randomUUID();
    const versions = Array.from({ length: 20 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const results = await Promise.all(versions.map((version) => put(id, userData({ version, lastName: `v${version}` }))));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(await row(id)).toMatchObject({ version: 20, last_name: 'v20' });
  });

  it('a deactivated user is refused with 403 ACCOUNT_DISABLED, even right after being admitted', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    // Admitted (and remembered by the admission cache)...
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers })).statusCode).toBe(200);
    // ...then deactivated through the sync: the delivery clears the cached admission.
    await put(user.id, userData({ version: 2, isActive: false }));
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers }), 403, 'ACCOUNT_DISABLED');
  });
});

describe('PUT /internal/v1/users (batch)', () => {
  const putMany = (users: unknown[], headers: Record<string, string> = serviceKey) =>
    ctx.app.inject({ method: 'PUT', url: '/internal/v1/users', headers, payload: { users } });

  it('applies each user as its own PUT would: new, newer, stale, equal; a repeated id once with its highest version', async () => {
    const [fresh, newer, stale, equal] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of [newer, stale, equal]) await put(id, userData({ version: 5, firstName: 'Five' }));
    const res = await putMany([
      { id: fresh, ...userData({ version: 1, firstName: 'Fresh' }) },
      { id: newer, ...userData({ version: 6, firstName: 'Six' }) },
      { id: stale, ...userData({ version: 4, firstName: 'Four' }) },
      { id: equal, ...userData({ version: 5, firstName: 'Again' }) },
      { id: fresh, ...userData({ version: 3, firstName: 'Fresh3' }) },
      { id: fresh, ...userData({ version: 2, firstName: 'Fresh2' }) },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      results: [
        { id: fresh, applied: true },
        { id: newer, applied: true },
        { id: stale, applied: false },
        { id: equal, applied: false },
      ],
    });
    expect(await row(fresh)).toMatchObject({ first_name: 'Fresh3', version: 3 });
    expect(await row(newer)).toMatchObject({ first_name: 'Six', version: 6 });
    expect(await row(stale)).toMatchObject({ first_name: 'Five', version: 5 });
    expect(await row(equal)).toMatchObject({ first_name: 'Five', version: 5 });
    // Idempotent: the same batch again changes nothing.
    expect((await putMany([{ id: newer, ...userData({ version: 6, firstName: 'Other' }) }])).json()).toEqual({ results: [{ id: newer, applied: false }] });
    expect(await row(newer)).toMatchObject({ first_name: 'Six' });
  });

  it('never revives a deleted user, and clears the admission of a user it deactivates', async () => {
    const gone = randomUUID();
    expect((await del(gone, '?version=4')).statusCode).toBe(204);
    const user = await newUser(ctx.app, ctx.issuer);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers })).statusCode).toBe(200);
    const res = await putMany([
      { id: gone, ...userData({ version: 9 }) },
      { id: user.id, ...userData({ version: 2, isActive: false }) },
    ]);
    expect(res.json()).toEqual({ results: [{ id: gone, applied: false }, { id: user.id, applied: true }] });
    expect(await row(gone)).toMatchObject({ is_active: false, version: 4, deleted_at: expect.any(Date) });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers }), 403, 'ACCOUNT_DISABLED');
  });

  it('takes roles, the avatar and the second factor like the single PUT', async () => {
    const id = randomUUID();
    await putMany([{ id, ...userData({ version: 1, roles: ['moderator'], avatarUrl: 'https://cdn.example.com/a.webp', mfaEnabled: true }) }]);
    expect(await row(id)).toMatchObject({ roles: ['moderator'], avatar_url: 'https://cdn.example.com/a.webp', mfa_enabled: true });
  });

  it('refuses without the service key, and validates every item and the size', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    expectProblem(await putMany([{ id: randomUUID(), ...userData() }], bearer(user.token)), 401, 'UNAUTHENTICATED');
    expectProblem(await putMany([]), 400, 'VALIDATION_FAILED');
    expectProblem(await putMany([{ id: 'not-a-uuid', ...userData() }]), 400, 'VALIDATION_FAILED');
    expectProblem(await putMany([{ id: randomUUID(), ...userData({ version: 0 }) }]), 400, 'VALIDATION_FAILED');
    const tooMany = Array.from({ length: 501 }, () => ({ id: randomUUID(), ...userData() }));
    expectProblem(await putMany(tooMany), 400, 'VALIDATION_FAILED');
    // The largest batch fits the route's body limit.
    const most = Array.from({ length: 500 }, () => ({ id: randomUUID(), ...userData({ avatarUrl: `https://cdn.example.com/${'a'.repeat(200)}.webp` }) }));
    expect((await putMany(most)).statusCode).toBe(200);
  });
});

describe('DELETE /internal/v1/users/{id}', () => {
  it('ends the meetings they host, takes them out of others, and anonymises them', async () => {
    const gone = await newUser(ctx.app, ctx.issuer);
    const other = await newUser(ctx.app, ctx.issuer);
    const hosted = await createMeeting(ctx.app, gone);
    const alsoHosted = await createMeeting(ctx.app, gone);
    await join(ctx.app, other, hosted.code);
    const theirs = await createMeeting(ctx.app, other);
    await join(ctx.app, gone, theirs.code);

    expect((await del(gone.id, '?version=7')).statusCode).toBe(204);

    const seen = await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${hosted.id}`, headers: other.headers });
    expect(seen.json()).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
    const ended = await sql.query('SELECT id, status FROM meetings WHERE host_id = $1 ORDER BY id', [gone.id]);
    expect(ended.rows).toEqual([hosted.id, alsoHosted.id].sort().map((id) => ({ id, status: 'ended' })));
    const theirsNow = (await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${theirs.id}`, headers: other.headers })).json();
    expect(theirsNow).toMatchObject({ status: 'active', participantCount: 1 });
    expect(await row(gone.id)).toMatchObject({
      email: `deleted+${gone.id}@invalid.invalid`,
      username: `deleted-${gone.id}`,
      first_name: null,
      last_name: null,
      is_active: false,
      version: 7,
      deleted_at: expect.any(Date),
    });
    // Their token no longer opens anything, and a stale or even newer PUT does not revive them.
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: gone.headers }), 403, 'ACCOUNT_DISABLED');
    expect((await put(gone.id, userData({ version: 6 }))).json()).toEqual({ applied: false });
    expect((await put(gone.id, userData({ version: 99 }))).json()).toEqual({ applied: false });
    // Deleting again is fine, and the version only grows.
    expect((await del(gone.id, '?version=3')).statusCode).toBe(204);
    expect((await row(gone.id))?.version).toBe(7);
  });

  it('an unknown id still answers 204 and leaves a tombstone that stale updates cannot pass', async () => {
    const id = randomUUID();
    expect((await del(id, '?version=4')).statusCode).toBe(204);
    expect(await row(id)).toMatchObject({ is_active: false, version: 4, deleted_at: expect.any(Date), email: `deleted+${id}@invalid.invalid` });
    expect((await put(id, userData({ version: 3 }))).json()).toEqual({ applied: false });
    expect((await row(id))?.is_active).toBe(false);
    expect((await del(randomUUID())).statusCode).toBe(204);
  });
});

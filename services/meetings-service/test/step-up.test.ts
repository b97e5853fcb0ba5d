import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createMeeting, expectProblem, newUser, serviceKey } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
beforeAll(async () => {
  ctx = await startMeetingsService();
});
afterAll(async () => ctx.close());

const remove = (id: string, token: string) => ctx.app.inject({ method: 'DELETE', url: `/v1/meetings/${id}`, headers: bearer(token) });
const nowSec = () => Math.floor(Date.now() / 1000);

describe('deleting a meeting: step-up for hosts with MFA on', () => {
  it('a host with MFA on needs an aal2 login from the last 10 minutes', async () => {
    const host = await newUser(ctx.app, ctx.issuer, { mfaEnabled: true });
    const meeting = await createMeeting(ctx.app, host);
    const weak = expectProblem(await remove(meeting.id, host.token), 403, 'STEP_UP_REQUIRED');
    expect(weak).toMatchObject({ acrValues: 'aal2', maxAge: 600 });
    const stale = await ctx.issuer.token(host.id, { acr: 'aal2', authTime: nowSec() - 11 * 60 });
    expectProblem(await remove(meeting.id, stale), 403, 'STEP_UP_REQUIRED');
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${meeting.id}`, headers: host.headers })).statusCode).toBe(200);
    const strong = await ctx.issuer.token(host.id, { acr: 'aal2', authTime: nowSec() - 9 * 60 });
    expect((await remove(meeting.id, strong)).statusCode).toBe(204);
  });

  it('a host without MFA deletes with any login; the sync turning MFA on changes that', async () => {
    const host = await newUser(ctx.app, ctx.issuer);
    const first = await createMeeting(ctx.app, host);
    expect((await remove(first.id, host.token)).statusCode).toBe(204);
    const synced = await ctx.app.inject({
      method: 'PUT',
      url: `/internal/v1/users/${host.id}`,
      headers: serviceKey,
      payload: { email: `${host.username}@example.com`, username: host.username, firstName: null, lastName: null, isActive: true, emailVerified: true, mfaEnabled: true, version: 2 },
    });
    expect(synced.json()).toEqual({ applied: true });
    const second = await createMeeting(ctx.app, host);
    expectProblem(await remove(second.id, host.token), 403, 'STEP_UP_REQUIRED');
  });
});

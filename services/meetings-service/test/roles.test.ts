import { appendNotBefore, execRevocations } from '@authmeet/auth-tokens';
import { createTestRedis, TEST_REDIS_URL } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createMeeting, expectProblem, join, newUser, serviceKey, userData } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let redis: ReturnType<typeof createTestRedis>;

async function withRoles(roles: string[]): Promise<TestUser> {
  const user = await newUser(ctx.app, ctx.issuer, { roles });
  const token = await ctx.issuer.token(user.id, { roles });
  return { ...user, token, headers: bearer(token) };
}

beforeAll(async () => {
  ctx = await startMeetingsService();
  redis = createTestRedis({ keyPrefix: ctx.config.revocation.keyPrefix }, TEST_REDIS_URL);
});
afterAll(async () => {
  redis.disconnect();
  await ctx.close();
});

type Who = 'host' | 'participant' | 'outsider' | 'moderator' | 'admin' | 'disabled';

/** A fresh meeting with a host, a participant, a would-be removed participant and callers of every kind. */
async function scene() {
  const host = await newUser(ctx.app, ctx.issuer);
  const participant = await newUser(ctx.app, ctx.issuer);
  const other = await newUser(ctx.app, ctx.issuer);
  const meeting = await createMeeting(ctx.app, host);
  for (const u of [participant, other]) expect((await join(ctx.app, u, meeting.code)).statusCode).toBe(200);
  const disabled = await newUser(ctx.app, ctx.issuer);
  expect((await join(ctx.app, disabled, meeting.code)).statusCode).toBe(200);
  // Disabled through the user sync (the auth-service also revokes their sessions).
  const res = await ctx.app.inject({
    method: 'PUT',
    url: `/internal/v1/users/${disabled.id}`,
    headers: serviceKey,
    payload: userData({ username: disabled.username, isActive: false, version: 2 }),
  });
  expect(res.statusCode).toBe(200);
  const callers: Record<Who, TestUser> = {
    host,
    participant,
    outsider: await newUser(ctx.app, ctx.issuer),
    moderator: await withRoles(['moderator']),
    admin: await withRoles(['admin']),
    disabled,
  };
  return { meeting, callers, other };
}

const expected: Record<string, Record<Who, number>> = {
  'GET /:id': { host: 200, participant: 200, outsider: 404, moderator: 200, admin: 200, disabled: 403 },
  'GET /:id/participants': { host: 200, participant: 200, outsider: 404, moderator: 200, admin: 200, disabled: 403 },
  'DELETE /:id/participants/:userId': { host: 204, participant: 403, outsider: 404, moderator: 204, admin: 204, disabled: 403 },
  'POST /:id/end': { host: 200, participant: 403, outsider: 404, moderator: 200, admin: 200, disabled: 403 },
  'DELETE /:id': { host: 204, participant: 403, outsider: 404, moderator: 404, admin: 204, disabled: 403 },
};
const whos: Who[] = ['host', 'participant', 'outsider', 'moderator', 'admin', 'disabled'];

describe('permission matrix of the meetings routes', () => {
  for (const [route, statuses] of Object.entries(expected)) {
    it.each(whos)(`${route} as %s`, async (who) => {
      const { meeting, callers, other } = await scene();
      const [method, path] = route.split(' ') as ['GET' | 'POST' | 'DELETE', string];
      const url = `/v1/meetings${path.replace(':id', meeting.id).replace(':userId', other.id)}`;
      const res = await ctx.app.inject({ method, url, headers: callers[who].headers });
      expect(res.statusCode, res.body).toBe(statuses[who]);
      if (who === 'disabled') expectProblem(res, 403, 'ACCOUNT_DISABLED');
    });
  }
});

describe('removing a participant', () => {
  it('takes them out (the count drops) and they cannot rejoin; twice is fine, the host and strangers cannot be removed', async () => {
    const { meeting, callers, other } = await scene();
    const before = (await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${meeting.id}`, headers: callers.host.headers })).json();
    const removed = await ctx.app.inject({ method: 'DELETE', url: `/v1/meetings/${meeting.id}/participants/${other.id}`, headers: callers.moderator.headers });
    expect(removed.statusCode, removed.body).toBe(204);
    const after = (await ctx.app.inject({ method: 'GET', url: `/v1/meetings/${meeting.id}`, headers: callers.host.headers })).json();
    expect(after.participantCount).toBe(before.participantCount - 1);
    expectProblem(await join(ctx.app, other, meeting.code), 403, 'REMOVED_FROM_MEETING');
    // Removing twice is no error; the host cannot be removed; a stranger is not a participant.
    const again = await ctx.app.inject({ method: 'DELETE', url: `/v1/meetings/${meeting.id}/participants/${other.id}`, headers: callers.host.headers });
    expect(again.statusCode).toBe(204);
    const host = await ctx.app.inject({ method: 'DELETE', url: `/v1/meetings/${meeting.id}/participants/${callers.host.id}`, headers: callers.admin.headers });
    expect(expectProblem(host, 403, 'FORBIDDEN').detail).toBe('The host cannot be removed');
    const stranger = await ctx.app.inject({ method: 'DELETE', url: `/v1/meetings/${meeting.id}/participants/${callers.outsider.id}`, headers: callers.admin.headers });
    expect(expectProblem(stranger, 404, 'NOT_FOUND').detail).toBe('No such participant');
  });
});

describe("a user's not-before marker", () => {
  it('refuses their older tokens within 1 s, and not the ones issued at or after it', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const nowSec = Math.floor(Date.now() / 1000);
    const old = await ctx.issuer.token(user.id, { iat: nowSec - 5, roles: ['admin'] });
    const fresh = await ctx.issuer.token(user.id, { iat: nowSec + 1 });
    // Seen once: the session is confirmed and answered from memory from now on.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(old) })).statusCode).toBe(200);
    const changedAt = Date.now();
    await execRevocations(appendNotBefore(redis.multi(), ctx.config.revocation.keyPrefix, { sub: user.id, nbf: nowSec + 1, ttlSec: 960 }));
    let refusedAt: number | undefined;
    while (refusedAt === undefined && Date.now() - changedAt < 2000) {
      const res = await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(old) });
      if (res.statusCode === 401) {
        expectProblem(res, 401, 'TOKEN_REVOKED');
        refusedAt = Date.now();
      }
    }
    expect(refusedAt, 'the old token was never refused').toBeDefined();
    expect((refusedAt ?? Infinity) - changedAt).toBeLessThan(1000);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it('is read from Redis for a session first seen after the change', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const nowSec = Math.floor(Date.now() / 1000);
    await execRevocations(appendNotBefore(redis.multi(), ctx.config.revocation.keyPrefix, { sub: user.id, nbf: nowSec, ttlSec: 960 }));
    const old = await ctx.issuer.token(user.id, { iat: nowSec - 1 });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(old) }), 401, 'TOKEN_REVOKED');
  });
});

import type { AddressInfo } from 'node:net';
import { freePort, startTestS3, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestS3 } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem } from './factories.js';
import { authFactories, authImageKit, authTestApp } from './helpers/auth-service.js';
import type { AuthServiceContext } from './helpers/auth-service.js';
import { SERVICE_KEY, startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

// End to end: the auth-service's outbox relay delivers user changes to this service's
// internal routes, with the real service key, over HTTP.
let auth: AuthServiceContext;
let meet: MeetingsContext;
let sql: pg.Client;
let s3: TestS3;
let registerAndLogin: Awaited<ReturnType<typeof authFactories>>['registerAndLogin'];


beforeAll(async () => {
  const { startAuthService, SERVICE_KEY: AUTH_SERVICE_KEY } = await authTestApp();
  ({ registerAndLogin } = await authFactories());
  // Each service needs the other's URL before it starts: reserve the auth-service's port.
  const authPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const prefix = uniqueRedisPrefix('sync');
  s3 = await startTestS3();
  meet = await startMeetingsService({ AUTH_SERVICE_URL: authUrl, AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`, AUTH_SERVICE_KEY, REDIS_KEY_PREFIX: prefix });
  await meet.app.listen({ port: 0, host: '127.0.0.1' });
  auth = await startAuthService({
    REDIS_KEY_PREFIX: prefix,
    OUTBOX_RELAY_ENABLED: 'true',
    OUTBOX_POLL_MS: '50',
    MEETINGS_SERVICE_URL: `http://127.0.0.1:${(meet.app.server.address() as AddressInfo).port}`,
    MEETINGS_SERVICE_KEY: SERVICE_KEY,
    ...s3.env,
  });
  await auth.app.listen({ port: authPort, host: '127.0.0.1' });
  sql = new pg.Client({ connectionString: meet.db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await auth?.close();
  await meet?.close();
  await s3?.close();
});

async function eventuallyRow(id: string, check: (row: Record<string, unknown> | undefined) => boolean) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const row = (await sql.query('SELECT * FROM users WHERE id = $1', [id])).rows[0] as Record<string, unknown> | undefined;
    if (check(row)) return row;
    if (Date.now() > deadline) throw new Error(`user ${id} never reached the expected state: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('user sync from the auth-service', () => {
  it('delivers new users and profile changes in version order', async () => {
    const { user, tokens } = await registerAndLogin(auth.app, { firstName: 'Barbara' });
    await eventuallyRow(user.id, (r) => r?.version === 1 && r.first_name === 'Barbara');
    const patch = await auth.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { firstName: 'Babs' } });
    expect(patch.statusCode, patch.body).toBe(200);
    const row = await eventuallyRow(user.id, (r) => r?.first_name === 'Babs');
    expect(Number(row?.version)).toBeGreaterThan(1);
  });

  it('carries the profile picture into participant lists', async () => {
    const { user, tokens } = await registerAndLogin(auth.app);
    const created = await meet.app.inject({ method: 'POST', url: '/v1/meetings', headers: bearer(tokens.accessToken), payload: { title: 'Faces' } });
    expect(created.statusCode, created.body).toBe(201);
    const { solidImage, uploadAvatar } = await authImageKit();
    const uploaded = await uploadAvatar(auth.app, tokens.accessToken, await solidImage('png', 80, 80));
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const avatarUrl = (uploaded.json() as { avatarUrl: string }).avatarUrl;
    expect(avatarUrl).toMatch(new RegExp(`^${s3.publicBaseUrl}/profile-pictures/${user.id}/`));
    await eventuallyRow(user.id, (r) => r?.avatar_url === avatarUrl);
    const list = await meet.app.inject({ method: 'GET', url: `/v1/meetings/${created.json().id}/participants`, headers: bearer(tokens.accessToken) });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ userId: user.id, avatarUrl })]);

    const removed = await auth.app.inject({ method: 'DELETE', url: '/v1/auth/me/avatar', headers: bearer(tokens.accessToken) });
    expect(removed.statusCode, removed.body).toBe(204);
    await eventuallyRow(user.id, (r) => r?.avatar_url === null);
  });

  it('a closed account ends the meetings its owner hosts and is anonymised here', async () => {
    const { user, tokens, input } = await registerAndLogin(auth.app);
    const created = await meet.app.inject({ method: 'POST', url: '/v1/meetings', headers: bearer(tokens.accessToken), payload: { title: 'Soon gone' } });
    expect(created.statusCode, created.body).toBe(201);
    const closed = await auth.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: input.password } });
    expect(closed.statusCode, closed.body).toBe(204);
    await eventuallyRow(user.id, (r) => r?.deleted_at !== null && r?.username === `deleted-${user.id}`);
    const meeting = (await sql.query('SELECT status FROM meetings WHERE id = $1', [created.json().id])).rows[0];
    expect(meeting).toEqual({ status: 'ended' });
    expectProblem(await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(tokens.accessToken) }), 401, 'TOKEN_REVOKED');
  });
});

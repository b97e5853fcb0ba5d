import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './factories.js';
import { authFactories, startWithRealAuthService } from './helpers/auth-service.js';
import type { AuthServiceContext } from './helpers/auth-service.js';
import { listenForStreams } from './helpers/live-streams.js';
import type { LiveStreams } from './helpers/live-streams.js';
import type { SseStream } from './helpers/sse-client.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

/**
 * A role change or a disable made at the auth-service reaches the meetings-service through the
 * not-before marker and the session revocations: the user's older tokens are refused here
 * within a second, with no call between the services.
 */
let auth: AuthServiceContext & { config: { database: { url: string } } };
let meet: MeetingsContext;
let factories: Awaited<ReturnType<typeof authFactories>>;
let live: LiveStreams;

beforeAll(async () => {
  factories = await authFactories();
  const started = await startWithRealAuthService((env) => startMeetingsService(env));
  auth = started.auth as typeof auth;
  meet = started.meet;
  live = await listenForStreams(meet);
});
afterAll(async () => {
  live?.closeAll();
  await meet?.close();
  await auth?.close();
});

async function admin(): Promise<{ authorization: string }> {
  const { user, input } = await factories.registerAndLogin(auth.app);
  const sql = new pg.Client({ connectionString: auth.config.database.url });
  await sql.connect();
  try {
    await sql.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [user.id]);
  } finally {
    await sql.end();
  }
  return bearer((await factories.login(auth.app, input.email)).accessToken);
}

/** Milliseconds from `change` until the meetings-service refuses `token` (fails after 2 s). */
async function refusedWithin(token: string, change: () => Promise<void>): Promise<number> {
  const ask = () => meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) });
  expect((await ask()).statusCode).toBe(200);
  const start = Date.now();
  await change();
  for (;;) {
    const res = await ask();
    if (res.statusCode === 401 || res.statusCode === 403) return Date.now() - start;
    if (Date.now() - start > 2000) throw new Error(`still accepted after 2 s (${res.statusCode})`);
  }
}

describe('admin changes reach the meetings-service at once', () => {
  it('a role change refuses the older token within 1 s; a refreshed one carries the role and works', async () => {
    const headers = await admin();
    const { user, tokens } = await factories.registerAndLogin(auth.app);
    const ms = await refusedWithin(tokens.accessToken, async () => {
      const res = await auth.app.inject({ method: 'PUT', url: `/v1/admin/users/${user.id}/roles`, headers, payload: { roles: ['moderator'] } });
      expect(res.statusCode, res.body).toBe(200);
    });
    expect(ms).toBeLessThan(1000);
    const refreshed = await auth.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const fresh = refreshed.json().accessToken as string;
    expect(JSON.parse(Buffer.from(fresh.split('.')[1] ?? '', 'base64url').toString()).roles).toEqual(['moderator']);
    expect((await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it('a disable refuses the user within 1 s', async () => {
    const headers = await admin();
    const { user, tokens } = await factories.registerAndLogin(auth.app);
    const ms = await refusedWithin(tokens.accessToken, async () => {
      const res = await auth.app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/disable`, headers, payload: { reason: 'test' } });
      expect(res.statusCode, res.body).toBe(200);
    });
    expect(ms).toBeLessThan(1000);
  });
});

/** A user's meeting with an open event stream on the user's token. */
async function openStream(token: string): Promise<SseStream> {
  const created = await meet.app.inject({ method: 'POST', url: '/v1/meetings', headers: bearer(token), payload: { title: 'Admin change' } });
  expect(created.statusCode, created.body).toBe(201);
  const stream = await live.open((created.json() as { id: string }).id, bearer(token));
  expect(stream.status).toBe(200);
  return stream;
}

/** The stream's last event is `stream.closed` `{ reason: 'revoked' }`, sent within 1 s of `change`, and the response ended. */
async function closedWithin1s(stream: SseStream, change: () => Promise<void>) {
  const start = Date.now();
  await change();
  const closed = await stream.next('stream.closed', 2000);
  expect(Date.now() - start).toBeLessThan(1000);
  expect(closed.data).toEqual({ reason: 'revoked' });
  expect(await stream.ended).toBe('done');
  expect(stream.events.at(-1)?.event).toBe('stream.closed');
}

describe('admin changes end the user\'s open event streams at once', () => {
  it('a disable ends every stream of the user with stream.closed "revoked" within 1 s; other users keep theirs', async () => {
    const headers = await admin();
    const { user, tokens } = await factories.registerAndLogin(auth.app);
    const bystander = await factories.registerAndLogin(auth.app);
    const streams = [await openStream(tokens.accessToken), await openStream(tokens.accessToken)];
    const other = await openStream(bystander.tokens.accessToken);
    await closedWithin1s(streams[0] as SseStream, async () => {
      const res = await auth.app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/disable`, headers, payload: { reason: 'test' } });
      expect(res.statusCode, res.body).toBe(200);
    });
    expect((await (streams[1] as SseStream).next('stream.closed', 1000)).data).toEqual({ reason: 'revoked' });
    await new Promise((r) => setTimeout(r, 300));
    expect(other.events.some((e) => e.event === 'stream.closed')).toBe(false);
  });

  it('a role change ends the streams opened on older tokens within 1 s; a stream on the refreshed token stays', async () => {
    const headers = await admin();
    const { user, tokens } = await factories.registerAndLogin(auth.app);
    const stream = await openStream(tokens.accessToken);
    await closedWithin1s(stream, async () => {
      const res = await auth.app.inject({ method: 'PUT', url: `/v1/admin/users/${user.id}/roles`, headers, payload: { roles: ['moderator'] } });
      expect(res.statusCode, res.body).toBe(200);
    });
    const refreshed = await auth.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const fresh = await openStream(refreshed.json().accessToken as string);
    await new Promise((r) => setTimeout(r, 300));
    expect(fresh.events.some((e) => e.event === 'stream.closed')).toBe(false);
  });
});

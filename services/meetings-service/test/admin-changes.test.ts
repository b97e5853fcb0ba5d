import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './factories.js';
import { authFactories, startWithRealAuthService } from './helpers/auth-service.js';
import type { AuthServiceContext } from './helpers/auth-service.js';
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

beforeAll(async () => {
  factories = await authFactories();
  const started = await startWithRealAuthService((env) => startMeetingsService(env));
  auth = started.auth as typeof auth;
  meet = started.meet;
});
afterAll(async () => {
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

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem } from './factories.js';
import { authFactories, startWithRealAuthService } from './helpers/auth-service.js';
import type { AuthServiceContext } from './helpers/auth-service.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let auth: AuthServiceContext;
let meet: MeetingsContext;
let registerAndLogin: Awaited<ReturnType<typeof authFactories>>['registerAndLogin'];

beforeAll(async () => {
  ({ registerAndLogin } = await authFactories());
  ({ auth, meet } = await startWithRealAuthService((env) => startMeetingsService(env)));
});
afterAll(async () => {
  await meet?.close();
  await auth?.close();
});

const lookups = async (outcome: string) => {
  const text = await meet.app.metrics.metrics();
  const line = text.split('\n').find((l) => l.startsWith('service_client_requests_total') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('with the real auth-service', () => {
  it('a user registered there is fetched on first use here, and never again', async () => {
    const { user, tokens } = await registerAndLogin(auth.app, { firstName: 'Edsger', lastName: 'Dijkstra' });
    const before = await lookups('success');
    const created = await meet.app.inject({ method: 'POST', url: '/v1/meetings', headers: bearer(tokens.accessToken), payload: { title: 'First' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().hostId).toBe(user.id);
    expect(await lookups('success')).toBe(before + 1);

    const sql = new pg.Client({ connectionString: meet.db.url });
    await sql.connect();
    try {
      const row = (await sql.query('SELECT * FROM users WHERE id = $1', [user.id])).rows[0];
      expect(row).toMatchObject({ email: user.email, username: user.username, first_name: 'Edsger', last_name: 'Dijkstra', is_active: true, version: 1 });
    } finally {
      await sql.end();
    }
    for (let i = 0; i < 3; i += 1) {
      expect((await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(tokens.accessToken) })).statusCode).toBe(200);
    }
    expect(await lookups('success')).toBe(before + 1);
    const participants = await meet.app.inject({ method: 'GET', url: `/v1/meetings/${created.json().id}/participants`, headers: bearer(tokens.accessToken) });
    expect(participants.json().items[0]).toMatchObject({ userId: user.id, username: user.username, firstName: 'Edsger' });
  });

  it('concurrent first requests of a new user share one lookup', async () => {
    const { tokens } = await registerAndLogin(auth.app);
    const before = await lookups('success');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(tokens.accessToken) })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await lookups('success')).toBe(before + 1);
  });

  it('after logout there, the token is refused here with TOKEN_REVOKED within a second', async () => {
    const { tokens } = await registerAndLogin(auth.app);
    const headers = bearer(tokens.accessToken);
    expect((await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers })).statusCode).toBe(200);
    const logout = await auth.app.inject({ method: 'POST', url: '/v1/auth/logout', headers });
    expect(logout.statusCode).toBe(204);
    const started = Date.now();
    let res = await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers });
    while (res.statusCode === 200 && Date.now() - started < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      res = await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers });
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expectProblem(res, 401, 'TOKEN_REVOKED');
  });

  it('a token for a user the auth-service does not know is refused (401), not a 500', async () => {
    const token = auth.app.jwt.sign({ sub: randomUUID(), client_id: 'authmeet-web', sid: randomUUID(), jti: randomUUID(), email: 'ghost@example.com', username: 'ghost', exp: Math.floor(Date.now() / 1000) + 600 });
    expectProblem(await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) }), 401, 'TOKEN_REVOKED');
  });

  it('a token signed by another key is refused with TOKEN_INVALID', async () => {
    const other = await meet.issuer.token(randomUUID(), { kid: auth.keyRing.active.kid });
    expectProblem(await meet.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(other) }), 401, 'TOKEN_INVALID');
  });
});

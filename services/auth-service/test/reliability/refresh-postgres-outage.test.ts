import type { HttpApp } from '@authmeet/http-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { bearer, expectProblem, registerAndLogin } from '../factories.js';
import type { TokensBody } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * A request that answers 5xx must change no state. `healthy` and `outage` are two replicas on
 * one Redis prefix; `outage` cannot reach Postgres. The grace is off, so only the order of the
 * work (read the user first, rotate last) can save the client's retry.
 */
let healthy: TestContext;
let outage: HttpApp;
beforeAll(async () => {
  healthy = await startAuthService({ REFRESH_REUSE_GRACE: '0s' });
  outage = await buildApp(
    { ...healthy.config, database: { url: 'postgresql://postgres@127.0.0.1:1/none', poolSize: 1 } },
    { logger: false, keyRing: healthy.keyRing },
  );
  await outage.ready();
});
afterAll(async () => {
  await outage?.close();
  await healthy?.close();
});

describe('a Postgres outage during a request', () => {
  it('refresh answers 503 and the retry with the same token succeeds once Postgres is back', async () => {
    const { tokens } = await registerAndLogin(healthy.app);
    const failed = await outage.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expectProblem(failed, 503, 'DEPENDENCY_UNAVAILABLE');

    const retry = await healthy.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
    expect(retry.statusCode, retry.body).toBe(200);
    const next = retry.json() as TokensBody;
    expect(next.sessionId).toBe(tokens.sessionId);
    // The session is alive: its new access token works and the new refresh token rotates.
    expect((await healthy.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(next.accessToken) })).statusCode).toBe(200);
    expect((await healthy.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: next.refreshToken } })).statusCode).toBe(200);
  });
});

describe('a slow Postgres during a refresh', () => {
  it('still rotates: the deadline of the rotation runs from when it is sent, not from the session read', async () => {
    const { tokens } = await registerAndLogin(healthy.app);
    const sql = new pg.Client({ connectionString: healthy.db.url });
    await sql.connect();
    try {
      // The user read waits behind this lock for longer than the rotation's whole budget.
      await sql.query('BEGIN');
      await sql.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const pending = healthy.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } });
      await new Promise((r) => setTimeout(r, 1_500));
      await sql.query('COMMIT');
      const res = await pending;
      expect(res.statusCode, res.body).toBe(200);
    } finally {
      await sql.end();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { bearer, expectProblem, newUser, serviceKey, userData } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let healthy: MeetingsContext;
let user: TestUser;
beforeAll(async () => {
  healthy = await startMeetingsService();
  user = await newUser(healthy.app, healthy.issuer);
});
afterAll(async () => healthy.close());

describe('Redis unavailable', () => {
  it('boot does not hang; readiness names Redis; requests fail closed with 503, never 500', async () => {
    const started = Date.now();
    const app = await buildApp(
      { ...healthy.config, redis: { ...healthy.config.redis, url: 'redis://127.0.0.1:1' }, revocation: { ...healthy.config.revocation, startTimeoutMs: 200 } },
      { logger: false },
    );
    await app.ready();
    try {
      expect(Date.now() - started).toBeLessThan(5000);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(expectProblem(ready, 503, 'DEPENDENCY_UNAVAILABLE').checks).toEqual({
        postgres: 'ok',
        redis: 'fail',
        schema: 'ok',
        signingKeys: 'ok',
        revocations: 'fail',
      });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // Revocation state unknown → the token is not accepted.
      expectProblem(await app.inject({ method: 'GET', url: '/v1/meetings', headers: user.headers }), 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      const closing = Date.now();
      await app.close();
      expect(Date.now() - closing).toBeLessThan(3000);
    }
  });
});

describe('Postgres unavailable', () => {
  it('an empty, unmigrated database answers 503 on every path, never 500', async () => {
    const admin = await import('pg');
    const name = `meetings_unmigrated_${Date.now().toString(36)}`;
    const server = new admin.default.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await server.connect();
    await server.query(`CREATE DATABASE "${name}"`);
    const app = await buildApp({ ...healthy.config, database: { url: `postgresql://postgres@127.0.0.1:5432/${name}`, poolSize: 1 } }, { logger: false });
    await app.ready();
    try {
      const token = await healthy.issuer.token(user.id);
      expectProblem(await app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) }), 503, 'DEPENDENCY_UNAVAILABLE');
      const put = await app.inject({ method: 'PUT', url: `/internal/v1/users/${user.id}`, headers: serviceKey, payload: userData() });
      expectProblem(put, 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      await app.close();
      await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await server.end();
    }
  });

  it('readiness names Postgres and requests answer 503', async () => {
    const app = await buildApp({ ...healthy.config, database: { url: 'postgresql://postgres@127.0.0.1:1/none', poolSize: 1 } }, { logger: false });
    await app.ready();
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(expectProblem(ready, 503, 'DEPENDENCY_UNAVAILABLE').checks).toEqual({
        postgres: 'fail',
        redis: 'ok',
        schema: 'fail',
        signingKeys: 'ok',
        revocations: 'ok',
      });
      const token = await healthy.issuer.token(user.id);
      expectProblem(await app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) }), 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      await app.close();
    }
  });
});

import { readdirSync } from 'node:fs';
import { eventually } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './factories.js';
import { DEAD_AUTH_URL, migrationsDir, startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

const readyz = (ctx: MeetingsContext) => ctx.app.inject({ method: 'GET', url: '/readyz' });

describe('readiness', () => {
  let ctx: MeetingsContext;
  beforeAll(async () => {
    ctx = await startMeetingsService();
  });
  afterAll(async () => ctx.close());

  it('is refused while the newest migration is not applied', async () => {
    const newest = readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().at(-1);
    const db = new pg.Client({ connectionString: ctx.db.url });
    await db.connect();
    try {
      await db.query('UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1', [newest]);
      expect(expectProblem(await readyz(ctx), 503, 'DEPENDENCY_UNAVAILABLE').checks).toMatchObject({ schema: 'fail' });
      await db.query('UPDATE _prisma_migrations SET finished_at = now() WHERE migration_name = $1', [newest]);
      expect((await readyz(ctx)).statusCode).toBe(200);
    } finally {
      await db.end();
    }
  });

  it('is refused while the revocation subscription is down, and given again once it is back', async () => {
    expect((await readyz(ctx)).statusCode).toBe(200);
    // The subscriber connection drops; requests would now ask Redis (or 503) for every session.
    ctx.app.redisSubscriber.disconnect();
    await eventually(async () => {
      expect(expectProblem(await readyz(ctx), 503, 'DEPENDENCY_UNAVAILABLE').checks).toMatchObject({ revocations: 'fail', redis: 'ok' });
    });
    await ctx.app.redisSubscriber.connect();
    await eventually(async () => expect((await readyz(ctx)).statusCode).toBe(200), 10_000);
  });
});

describe('readiness without the auth-service', () => {
  let ctx: MeetingsContext;
  beforeAll(async () => {
    // Started while the auth-service is down: no signing keys, so every request would be a 503.
    ctx = await startMeetingsService({ AUTH_JWKS_URL: `${DEAD_AUTH_URL}/.well-known/jwks.json` });
  });
  afterAll(async () => ctx.close());

  it('is refused until signing keys are held; liveness is unaffected', async () => {
    const res = await readyz(ctx);
    expect(expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE').checks).toEqual({
      postgres: 'ok',
      redis: 'ok',
      schema: 'ok',
      signingKeys: 'fail',
      revocations: 'ok',
    });
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './factories.js';
import { migrationsDir, startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
let db: pg.Client;
beforeAll(async () => {
  ctx = await startAuthService();
  db = new pg.Client({ connectionString: ctx.db.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await ctx.close();
});

describe('readiness', () => {
  it('is refused while the newest migration this build ships is not applied, and given once it is', async () => {
    const newest = readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().at(-1);
    expect(newest).toBeDefined();
    // A pod of this version started before its migration Job finished (a rolling upgrade).
    const { rows } = await db.query('DELETE FROM _prisma_migrations WHERE migration_name = $1 RETURNING *', [newest]);
    try {
      const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
      expect(expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE').checks).toEqual({ postgres: 'ok', redis: 'ok', schema: 'fail' });
      expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      const row = rows[0] as Record<string, unknown>;
      const columns = Object.keys(row);
      await db.query(
        `INSERT INTO _prisma_migrations (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => row[c]),
      );
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('stays given when the database is ahead of this build (the next version already migrated)', async () => {
    await db.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, repeat('0', 64), '29991231000000_from_the_future', now(), now(), 1)`,
    );
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

import { checkSchemaDrift } from '@authmeet/db-migrate/drift';
import { createTestDatabase } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, schemaPath } from './test-app.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('meetings_drift', migrationsDir);
});
afterAll(async () => db.drop());

describe('schema drift', () => {
  it('the migrated database matches prisma/schema.prisma exactly', async () => {
    expect(await checkSchemaDrift({ databaseUrl: db.url, schemaPath })).toEqual([]);
  });

  it('the check notices a difference (so the test above can fail)', async () => {
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      await sql.query('DROP INDEX "meetings_host_id_created_at_id_idx"');
      expect(await checkSchemaDrift({ databaseUrl: db.url, schemaPath })).toEqual([expect.stringContaining('meetings_host_id_created_at_id_idx')]);
    } finally {
      await sql.end();
    }
  });
});

import { fileURLToPath } from 'node:url';
import { checkSchemaDrift } from '@authmeet/db-migrate/drift';
import { createTestDatabase } from '@authmeet/test-kit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrationsDir } from './test-app.js';

const schemaPath = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));

describe('migrations', () => {
  it('applied to an empty database produce exactly schema.prisma', async () => {
    const db = await createTestDatabase('auth_drift', migrationsDir);
    try {
      expect(await checkSchemaDrift({ databaseUrl: db.url, schemaPath })).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('are recorded in _prisma_migrations as Prisma records them', async () => {
    const db = await createTestDatabase('auth_drift', migrationsDir);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.applied_steps_count).toBe(1);
        expect(row.rolled_back_at).toBeNull();
      }
    } finally {
      await client.end();
      await db.drop();
    }
  });
});

import type pg from 'pg';

/**
 * Prisma's own DDL for the history table (schema engine, postgres flavour,
 * `create_migrations_table`), kept verbatim so `prisma migrate status` reads our rows as its own.
 */
export const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

/**
 * Tables Prisma ignores when deciding whether a database is empty (PostGIS system tables).
 */
const IGNORED_TABLES = /^(spatial_ref_sys|geometry_columns)$/i;

export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** Base tables in the connection's schema (search_path was set to Prisma's schema). */
async function tablesInSchema(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
  );
  return result.rows.map((row) => row.relname);
}

/**
 * Prisma's `initialize`: create the history table in an empty schema. Returns 'exists',
 * 'created', or 'not-empty' when other tables exist without history (Prisma's P3005, which needs
 * a baseline rather than replaying every migration over existing tables).
 */
export async function initializeMigrationsTable(client: pg.Client): Promise<'exists' | 'created' | 'not-empty'> {
  const tables = await tablesInSchema(client);
  if (tables.includes('_prisma_migrations')) return 'exists';
  if (tables.some((name) => !IGNORED_TABLES.test(name))) return 'not-empty';
  await client.query(CREATE_MIGRATIONS_TABLE_SQL);
  return 'created';
}

export async function listMigrationRows(client: pg.Client): Promise<MigrationRow[]> {
  const result = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
     FROM _prisma_migrations ORDER BY started_at ASC`,
  );
  return result.rows;
}

/**
 * Row written before the script runs, like Prisma's `record_migration_started`. The database
 * clock is used (not now(), which is frozen at transaction start) so started_at and finished_at
 * bracket the script's real run time.
 */
export async function recordStarted(
  client: pg.Client,
  row: { id: string; checksum: string; name: string },
): Promise<Date> {
  const result = await client.query<{ started_at: Date }>(
    `INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name)
     VALUES ($1, $2, clock_timestamp(), $3) RETURNING started_at`,
    [row.id, row.checksum, row.name],
  );
  const startedAt = result.rows[0]?.started_at;
  if (startedAt === undefined) throw new Error('INSERT INTO _prisma_migrations returned no row');
  return startedAt;
}

/** Prisma's `record_successful_step` + `record_migration_finished`, in one statement. */
export async function recordFinished(client: pg.Client, id: string): Promise<void> {
  await client.query(
    `UPDATE _prisma_migrations
     SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
     WHERE id = $1`,
    [id],
  );
}

/**
 * Leaves what Prisma leaves after a failed script: the row with finished_at NULL,
 * applied_steps_count 0 and the error in logs. Runs after the rollback, so it re-inserts the row
 * the rollback removed; the upsert covers a script whose own COMMIT had already persisted it.
 */
export async function recordFailed(
  client: pg.Client,
  row: { id: string; checksum: string; name: string; startedAt: Date | undefined; logs: string },
): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name, logs)
     VALUES ($1, $2, COALESCE($3::timestamptz, clock_timestamp()), $4, $5)
     ON CONFLICT (id) DO UPDATE SET logs = EXCLUDED.logs`,
    [row.id, row.checksum, row.startedAt ?? null, row.name, row.logs],
  );
}

import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { connect, parseDatabaseUrl, sqlState } from './connection.js';
import { ensureDatabase } from './create-database.js';
import { MigrationError } from './errors.js';
import { describeDbError, failureLogs } from './failure-logs.js';
import {
  assertPostgresLockFile,
  listLocalMigrations,
  scriptMatchesChecksum,
  type LocalMigration,
} from './migrations-dir.js';
import {
  initializeMigrationsTable,
  listMigrationRows,
  recordFailed,
  recordFinished,
  recordStarted,
  type MigrationRow,
} from './migrations-table.js';

export interface RunMigrationsOptions {
  /** postgres:// URL of the target database. A Prisma-style `?schema=` parameter is honoured. */
  databaseUrl: string;
  /** The `prisma/migrations` folder: `<timestamp>_<name>/migration.sql` + migration_lock.toml. */
  migrationsDir: string;
  /** Create the database first when it does not exist. */
  createDatabase?: boolean;
  log?: (msg: string) => void;
  /**
   * How long to wait for another runner's advisory lock before giving up (default 5 minutes;
   * 0 waits forever). Prisma waits 10 s, which is shorter than a slow migration on a sibling replica.
   */
  lockTimeoutMs?: number;
}

export interface RunMigrationsResult {
  /** Migrations this call applied, in order. */
  applied: string[];
  /** Local migrations that were already applied before this call, in order. */
  alreadyApplied: string[];
}

/**
 * Prisma Migrate's advisory lock key (schema engine, postgres flavour). Using the same key makes
 * us mutually exclusive with `prisma migrate deploy` too, not just with other copies of this code.
 */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60 * 1000;
/** lock_not_available, raised when lock_timeout expires. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Applies pending Prisma migrations and records them in `_prisma_migrations` the way
 * `prisma migrate deploy` does, so Prisma's CLI agrees with the result wherever it can run.
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<RunMigrationsResult> {
  const log = options.log ?? (() => undefined);
  const parsed = parseDatabaseUrl(options.databaseUrl);

  // Read the folder before touching the database: a broken checkout must not take the lock.
  await assertPostgresLockFile(options.migrationsDir);
  const local = await listLocalMigrations(options.migrationsDir);

  if (options.createDatabase === true && (await ensureDatabase(parsed))) {
    log(`Created database "${parsed.database ?? ''}"`);
  }

  const client = await connect(parsed);
  try {
    await acquireLock(client, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, log);
    try {
      return await migrateLocked(client, local, parsed.schema, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  const free = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    PRISMA_ADVISORY_LOCK_KEY,
  ]);
  if (free.rows[0]?.locked === true) return;
  log(`Waiting for the migration advisory lock (${PRISMA_ADVISORY_LOCK_KEY}) held by another runner`);
  // lock_timeout bounds the wait on the advisory lock; it is reset so scripts run unbounded.
  const bound = Number.isFinite(timeoutMs) ? Math.max(0, Math.floor(timeoutMs)) : 0;
  await client.query(`SET lock_timeout = ${bound}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (err) {
    if (sqlState(err) === LOCK_NOT_AVAILABLE) {
      throw new MigrationError(
        'LOCK_TIMEOUT',
        `Timed out after ${timeoutMs} ms waiting for the migration advisory lock (${PRISMA_ADVISORY_LOCK_KEY}); ` +
          'another migration run is still in progress',
        { cause: err },
      );
    }
    throw err;
  } finally {
    await client.query('RESET lock_timeout').catch(() => undefined);
  }
}

async function migrateLocked(
  client: pg.Client,
  local: LocalMigration[],
  schema: string,
  log: (msg: string) => void,
): Promise<RunMigrationsResult> {
  const init = await initializeMigrationsTable(client);
  if (init === 'not-empty') {
    throw new MigrationError(
      'SCHEMA_NOT_EMPTY',
      `The database schema "${schema}" is not empty but has no _prisma_migrations table (Prisma P3005). ` +
        'Baseline it (mark existing migrations as applied) before deploying: https://pris.ly/d/migrate-baseline',
    );
  }
  if (init === 'created') log('Created _prisma_migrations table');

  const rows = await listMigrationRows(client);
  assertNoFailedMigrations(rows);
  // Rolled-back rows do not count, as in Prisma: `migrate resolve --rolled-back` re-queues them.
  const appliedRows = rows.filter((row) => row.rolled_back_at === null);
  assertHistoryMatchesFolder(appliedRows, local);

  const appliedNames = new Set(appliedRows.map((row) => row.migration_name));
  const alreadyApplied = local.filter((m) => appliedNames.has(m.name)).map((m) => m.name);
  const pending = local.filter((m) => !appliedNames.has(m.name));
  if (pending.length === 0) {
    log(`No pending migrations (${alreadyApplied.length} already applied)`);
    return { applied: [], alreadyApplied };
  }

  const applied: string[] = [];
  for (const migration of pending) {
    log(`Applying migration ${migration.name}`);
    const started = Date.now();
    await applyOne(client, migration);
    log(`Applied migration ${migration.name} in ${Date.now() - started} ms`);
    applied.push(migration.name);
  }
  return { applied, alreadyApplied };
}

/** Prisma refuses to go on while a failed attempt is unresolved (P3009); so do we. */
function assertNoFailedMigrations(rows: MigrationRow[]): void {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length === 0) return;
  const details = failed
    .map((row) => {
      const logs = row.logs?.trim();
      const suffix = logs === undefined || logs === '' ? '' : ` with the following logs:\n${logs}`;
      return `The \`${row.migration_name}\` migration started at ${row.started_at.toISOString()} failed${suffix}`;
    })
    .join('\n');
  const first = failed[0];
  throw new MigrationError(
    'FAILED_MIGRATION_FOUND',
    'Found failed migrations in the target database; new migrations will not be applied (Prisma P3009). ' +
      'Fix the cause, then mark the attempt with `prisma migrate resolve --rolled-back <name>` (or ' +
      '`--applied`): https://pris.ly/d/migrate-resolve\n' +
      details,
    failed.length === 1 && first !== undefined ? { migrationName: first.migration_name } : {},
  );
}

/**
 * Refuses to run on a history that no longer matches the folder. `migrate deploy` itself would
 * carry on, but `migrate status` flags both cases, and applying new migrations on top of an edited
 * or vanished one deploys a schema nobody reviewed.
 */
function assertHistoryMatchesFolder(appliedRows: MigrationRow[], local: LocalMigration[]): void {
  const byName = new Map(local.map((m) => [m.name, m]));
  const missing = new Set<string>();
  const modified = new Set<string>();
  for (const row of appliedRows) {
    const migration = byName.get(row.migration_name);
    if (migration === undefined) missing.add(row.migration_name);
    else if (!scriptMatchesChecksum(migration.script, row.checksum)) modified.add(row.migration_name);
  }
  if (missing.size > 0) {
    const names = [...missing];
    throw new MigrationError(
      'MIGRATION_MISSING_LOCALLY',
      `The database has applied migration(s) with no folder in the migrations directory: ${names.join(', ')}. ` +
        'Restore the folder(s); deploying from a checkout that lacks them would skip reviewed history.',
      names.length === 1 ? { migrationName: names[0] } : {},
    );
  }
  if (modified.size > 0) {
    const names = [...modified];
    throw new MigrationError(
      'CHECKSUM_MISMATCH',
      `Migration(s) modified after they were applied (checksum differs from _prisma_migrations): ${names.join(', ')}. ` +
        'Revert the edit and put the change in a new migration.',
      names.length === 1 ? { migrationName: names[0] } : {},
    );
  }
}

/**
 * One migration in one transaction: history row, script, completion. A failing script leaves
 * nothing but the failed-attempt row Prisma would leave. Scripts are sent as one simple-protocol
 * query, like Prisma's engine, so multi-statement files and DO blocks work unchanged.
 */
async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  const row = { id, checksum: migration.checksum, name: migration.name };
  let startedAt: Date | undefined;
  await client.query('BEGIN');
  try {
    startedAt = await recordStarted(client, row);
    await client.query(migration.script);
    await recordFinished(client, id);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const logs = failureLogs(migration.name, err, migration.script);
    // If the connection itself died, the failure cannot be recorded; the script error still wins.
    const recorded = await recordFailed(client, { ...row, startedAt, logs }).then(
      () => '',
      (recordErr: unknown) => ` (the failure could not be recorded in _prisma_migrations: ${String(recordErr)})`,
    );
    const info = describeDbError(err);
    throw new MigrationError(
      'MIGRATION_FAILED',
      `Migration ${migration.name} failed to apply (Prisma P3018)` +
        `${info.code === undefined ? '' : ` [${info.code}]`}: ${info.message}${recorded}`,
      { migrationName: migration.name, cause: err },
    );
  }
}

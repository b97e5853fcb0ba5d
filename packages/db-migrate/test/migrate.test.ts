import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.js';
import {
  expectMigrationError,
  FIXTURE_MIGRATIONS,
  historyRows,
  MIGRATION_NAMES,
  sha256OfMigration,
  testResources,
  UUID_V4,
} from './helpers.js';

const { database, migrationsCopy, defer } = testResources();

describe('runMigrations', () => {
  it('creates the database, applies every migration and records rows exactly as Prisma does', async () => {
    const db = await database(false);
    const messages: string[] = [];
    const result = await runMigrations({
      databaseUrl: db.url,
      migrationsDir: FIXTURE_MIGRATIONS,
      createDatabase: true,
      log: (m) => messages.push(m),
    });

    expect(result).toEqual({ applied: MIGRATION_NAMES, alreadyApplied: [] });
    expect(messages[0]).toBe(`Created database "${db.name}"`);

    const history = await historyRows(db);
    expect(history.map((r) => r.migration_name)).toEqual(MIGRATION_NAMES);
    for (const row of history) {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(await sha256OfMigration(row.migration_name));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
    expect(new Set(history.map((r) => r.id)).size).toBe(2);

    // The table itself must match Prisma's DDL column for column.
    const columns = await db.query<{ column_name: string; type: string; not_null: boolean; default: string | null }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
              pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = '_prisma_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(columns).toEqual([
      { column_name: 'id', type: 'character varying(36)', not_null: true, default: null },
      { column_name: 'checksum', type: 'character varying(64)', not_null: true, default: null },
      { column_name: 'finished_at', type: 'timestamp with time zone', not_null: false, default: null },
      { column_name: 'migration_name', type: 'character varying(255)', not_null: true, default: null },
      { column_name: 'logs', type: 'text', not_null: false, default: null },
      { column_name: 'rolled_back_at', type: 'timestamp with time zone', not_null: false, default: null },
      { column_name: 'started_at', type: 'timestamp with time zone', not_null: true, default: 'now()' },
      { column_name: 'applied_steps_count', type: 'integer', not_null: true, default: '0' },
    ]);
    const pk = await db.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass`,
    );
    expect(pk).toEqual([{ def: 'PRIMARY KEY (id)' }]);

    const tables = await db.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
    );
    expect(tables.map((t) => t.relname)).toEqual(['_prisma_migrations', 'meetings', 'memberships', 'users']);
  });

  it('quotes the database name it creates', async () => {
    const db = await database(false, '-Odd "Name"');
    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS, createDatabase: true });

    expect(result.applied).toEqual(MIGRATION_NAMES);
    expect(await db.query<{ name: string }>('SELECT current_database() AS name')).toEqual([{ name: db.name }]);
  });

  it('applies nothing on a second run', async () => {
    const db = await database(true);
    await runMigrations({ databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS });
    const before = await historyRows(db);

    const second = await runMigrations({ databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS, createDatabase: true });

    expect(second).toEqual({ applied: [], alreadyApplied: MIGRATION_NAMES });
    expect(await historyRows(db)).toEqual(before);
  });

  it('applies only the new migration when one is added later', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    await mkdir(path.join(dir, '20250103000000_notes'));
    await writeFile(path.join(dir, '20250103000000_notes', 'migration.sql'), 'ALTER TABLE "meetings" ADD COLUMN "notes" TEXT;\n');

    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: dir });

    expect(result).toEqual({ applied: ['20250103000000_notes'], alreadyApplied: MIGRATION_NAMES });
    const history = await historyRows(db);
    expect(history.map((r) => [r.migration_name, r.applied_steps_count])).toEqual([
      [MIGRATION_NAMES[0], 1],
      [MIGRATION_NAMES[1], 1],
      ['20250103000000_notes', 1],
    ]);
  });

  it('lets two concurrent runners apply each migration exactly once', async () => {
    const db = await database(false);
    const options = { databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS, createDatabase: true };

    const results = await Promise.all([runMigrations(options), runMigrations(options)]);

    const sorted = [...results].sort((a, b) => b.applied.length - a.applied.length);
    expect(sorted).toEqual([
      { applied: MIGRATION_NAMES, alreadyApplied: [] },
      { applied: [], alreadyApplied: MIGRATION_NAMES },
    ]);
    const history = await historyRows(db);
    expect(history.map((r) => r.migration_name)).toEqual(MIGRATION_NAMES);
  });

  it("waits on Prisma's advisory lock and gives up after lockTimeoutMs", async () => {
    const db = await database(true);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    defer(() => holder.end());
    await holder.query('SELECT pg_advisory_lock(72707369)');

    const messages: string[] = [];
    await expectMigrationError(
      runMigrations({
        databaseUrl: db.url,
        migrationsDir: FIXTURE_MIGRATIONS,
        lockTimeoutMs: 300,
        log: (m) => messages.push(m),
      }),
      'LOCK_TIMEOUT',
    );
    expect(messages).toEqual(['Waiting for the migration advisory lock (72707369) held by another runner']);
    expect(await db.query(`SELECT to_regclass('public._prisma_migrations') AS t`)).toEqual([{ t: null }]);

    await holder.query('SELECT pg_advisory_unlock(72707369)');
    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS, lockTimeoutMs: 300 });
    expect(result.applied).toEqual(MIGRATION_NAMES);
  });

  it('refuses when the database has an applied migration whose folder is gone', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    await rm(path.join(dir, MIGRATION_NAMES[1] ?? ''), { recursive: true });

    const err = await expectMigrationError(
      runMigrations({ databaseUrl: db.url, migrationsDir: dir }),
      'MIGRATION_MISSING_LOCALLY',
    );
    expect(err.migrationName).toBe(MIGRATION_NAMES[1]);
  });

  it('refuses a migration_lock.toml for another provider without touching the database', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "mysql"\n');

    const err = await expectMigrationError(runMigrations({ databaseUrl: db.url, migrationsDir: dir }), 'PROVIDER_MISMATCH');
    expect(err.message).toContain('"mysql"');
    expect(await db.query(`SELECT to_regclass('public._prisma_migrations') AS t`)).toEqual([{ t: null }]);
  });

  it('refuses a non-empty schema that has no migration history (Prisma P3005)', async () => {
    const db = await database(true);
    await db.query('CREATE TABLE "legacy" ("id" INTEGER)');

    await expectMigrationError(
      runMigrations({ databaseUrl: db.url, migrationsDir: FIXTURE_MIGRATIONS }),
      'SCHEMA_NOT_EMPTY',
    );
    expect(await db.query(`SELECT to_regclass('public._prisma_migrations') AS t`)).toEqual([{ t: null }]);
  });
});

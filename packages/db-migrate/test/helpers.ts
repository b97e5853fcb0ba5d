import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, expect } from 'vitest';
import { MigrationError, type MigrationErrorCode } from '../src/index.js';

/** Maintenance URL of the test server; TEST_DATABASE_URL overrides the local default. */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const FIXTURE_DIR = path.join(import.meta.dirname, 'fixtures', 'basic');
export const FIXTURE_SCHEMA = path.join(FIXTURE_DIR, 'schema.prisma');
export const FIXTURE_MIGRATIONS = path.join(FIXTURE_DIR, 'migrations');
export const MIGRATION_NAMES = ['20250101000000_init', '20250102000000_memberships'];

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL against the test database on a short-lived connection. */
  query: <R extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<R[]>;
  drop: () => Promise<void>;
}

/**
 * A uniquely named database for one test. `create: false` only reserves the name, for tests of
 * runMigrations' own createDatabase option; drop() works either way.
 */
export async function testDatabase(options: { create: boolean; suffix?: string }): Promise<TestDatabase> {
  const name = `dbmigrate_test_${process.pid}_${randomBytes(4).toString('hex')}${options.suffix ?? ''}`;
  const quoted = `"${name.replace(/"/g, '""')}"`;
  if (options.create) await admin((c) => c.query(`CREATE DATABASE ${quoted}`));
  const url = urlFor(name);
  return {
    name,
    url,
    query: async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`));
    },
  };
}

/** A writable copy of the fixture migrations folder, for tests that edit or add migrations. */
export async function copyFixtureMigrations(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'db-migrate-'));
  const dir = path.join(root, 'migrations');
  await cp(FIXTURE_MIGRATIONS, dir, { recursive: true });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface HistoryRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export const historyRows = (db: TestDatabase): Promise<HistoryRow[]> =>
  db.query<HistoryRow>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

/** Computed independently of the package, straight from the file's bytes. */
export async function sha256OfMigration(name: string, dir = FIXTURE_MIGRATIONS): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path.join(dir, name, 'migration.sql')))
    .digest('hex');
}

export async function expectMigrationError(promise: Promise<unknown>, code: MigrationErrorCode): Promise<MigrationError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrationError);
  const migrationError = err as MigrationError;
  expect(migrationError.code).toBe(code);
  return migrationError;
}

/**
 * Per-test databases and folders, released after each test (last created, first released) so a
 * failing assertion never leaks a database.
 */
export function testResources(): {
  database: (create: boolean, suffix?: string) => Promise<TestDatabase>;
  migrationsCopy: () => Promise<string>;
  defer: (cleanup: () => Promise<void>) => void;
} {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    database: async (create, suffix) => {
      const db = await testDatabase({ create, suffix });
      cleanups.push(db.drop);
      return db;
    },
    migrationsCopy: async () => {
      const copy = await copyFixtureMigrations();
      cleanups.push(copy.cleanup);
      return copy.dir;
    },
    defer: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
}

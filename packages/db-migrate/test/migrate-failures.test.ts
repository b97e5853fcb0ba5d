import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.js';
import {
  expectMigrationError,
  historyRows,
  MIGRATION_NAMES,
  sha256OfMigration,
  testResources,
  UUID_V4,
} from './helpers.js';

const { database, migrationsCopy } = testResources();

describe('runMigrations on modified or failing migrations', () => {
  it('refuses to run when an applied migration was modified', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    const file = path.join(dir, MIGRATION_NAMES[0] ?? '', 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited after deploy\n`);

    const err = await expectMigrationError(runMigrations({ databaseUrl: db.url, migrationsDir: dir }), 'CHECKSUM_MISMATCH');
    expect(err.migrationName).toBe(MIGRATION_NAMES[0]);
    expect(err.message).toContain(MIGRATION_NAMES[0]);
    expect((await historyRows(db)).length).toBe(2);
  });

  it('treats CRLF line endings as the same migration, as Prisma does', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    const file = path.join(dir, MIGRATION_NAMES[1] ?? '', 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));

    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    expect(result).toEqual({ applied: [], alreadyApplied: MIGRATION_NAMES });
  });

  it('rolls back a failing migration, records the failure like Prisma, and refuses later runs', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    const broken = '20250103000000_broken';
    await mkdir(path.join(dir, broken));
    const brokenFile = path.join(dir, broken, 'migration.sql');
    await writeFile(brokenFile, 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n');

    const err = await expectMigrationError(runMigrations({ databaseUrl: db.url, migrationsDir: dir }), 'MIGRATION_FAILED');
    expect(err.migrationName).toBe(broken);
    expect(err.message).toContain(broken);
    expect(err.message).toContain('relation "no_such_table" does not exist');

    const history = await historyRows(db);
    expect(history.map((r) => r.migration_name)).toEqual([...MIGRATION_NAMES, broken]);
    const failed = history[2];
    expect(failed?.finished_at).toBeNull();
    expect(failed?.rolled_back_at).toBeNull();
    expect(failed?.applied_steps_count).toBe(0);
    expect(failed?.checksum).toBe(await sha256OfMigration(broken, dir));
    expect(failed?.id).toMatch(UUID_V4);
    expect(failed?.logs).toContain(`Migration name: ${broken}`);
    expect(failed?.logs).toContain('Database error code: 42P01');
    expect(failed?.logs).toContain('ERROR: relation "no_such_table" does not exist');
    // The script's first statement was rolled back with the rest.
    expect(await db.query(`SELECT to_regclass('public.half_done') AS t`)).toEqual([{ t: null }]);

    // Even with the script fixed, the unresolved failure blocks deploys (Prisma P3009).
    await writeFile(brokenFile, 'CREATE TABLE "half_done" ("id" INTEGER);\n');
    const blocked = await expectMigrationError(
      runMigrations({ databaseUrl: db.url, migrationsDir: dir }),
      'FAILED_MIGRATION_FOUND',
    );
    expect(blocked.migrationName).toBe(broken);
    expect(blocked.message).toContain(`The \`${broken}\` migration started at`);
    expect((await historyRows(db)).length).toBe(3);

    // What `prisma migrate resolve --rolled-back` does; the fixed migration then applies.
    await db.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [broken]);
    const retried = await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    expect(retried).toEqual({ applied: [broken], alreadyApplied: MIGRATION_NAMES });
    const finalRows = (await historyRows(db)).filter((r) => r.migration_name === broken);
    expect(finalRows.map((r) => [r.rolled_back_at === null, r.finished_at === null])).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it("applies a script with its own BEGIN/COMMIT, as Prisma's enum rewrites have", async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    const name = '20250103000000_drop_observer';
    await mkdir(path.join(dir, name));
    await writeFile(
      path.join(dir, name, 'migration.sql'),
      [
        'BEGIN;',
        `CREATE TYPE "meeting_role_new" AS ENUM ('HOST', 'GUEST');`,
        'ALTER TABLE "memberships" ALTER COLUMN "role" DROP DEFAULT;',
        'ALTER TABLE "memberships" ALTER COLUMN "role" TYPE "meeting_role_new" USING ("role"::text::"meeting_role_new");',
        'ALTER TYPE "meeting_role" RENAME TO "meeting_role_old";',
        'ALTER TYPE "meeting_role_new" RENAME TO "meeting_role";',
        'DROP TYPE "public"."meeting_role_old";',
        `ALTER TABLE "memberships" ALTER COLUMN "role" SET DEFAULT 'GUEST';`,
        'COMMIT;',
        '',
      ].join('\n'),
    );

    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: dir });

    expect(result.applied).toEqual([...MIGRATION_NAMES, name]);
    const row = (await historyRows(db)).find((r) => r.migration_name === name);
    expect([row?.applied_steps_count, row?.finished_at instanceof Date, row?.logs]).toEqual([1, true, null]);
    expect(await db.query(`SELECT enum_range(NULL::meeting_role)::text AS labels`)).toEqual([{ labels: '{HOST,GUEST}' }]);
  });

  it('records one failure row when a script fails after its own COMMIT', async () => {
    const db = await database(true);
    const dir = await migrationsCopy();
    const name = '20250103000000_half';
    await mkdir(path.join(dir, name));
    await writeFile(
      path.join(dir, name, 'migration.sql'),
      'BEGIN;\nCREATE TABLE "committed_part" ("id" INTEGER);\nCOMMIT;\nSELECT * FROM "no_such_table";\n',
    );

    await expectMigrationError(runMigrations({ databaseUrl: db.url, migrationsDir: dir }), 'MIGRATION_FAILED');

    const failed = (await historyRows(db)).filter((r) => r.migration_name === name);
    expect(failed.map((r) => [r.finished_at, r.applied_steps_count, r.logs?.includes('Database error code: 42P01')])).toEqual([
      [null, 0, true],
    ]);
    // Prisma's engine leaves the committed half in place too; the failure row makes it visible.
    expect(await db.query(`SELECT to_regclass('public.committed_part')::text AS t`)).toEqual([{ t: 'committed_part' }]);
  });
});

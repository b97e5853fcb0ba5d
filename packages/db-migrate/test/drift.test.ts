import { describe, expect, it } from 'vitest';
import { checkSchemaDrift } from '../src/drift.js';
import { runMigrations } from '../src/index.js';
import path from 'node:path';
import { FIXTURE_MIGRATIONS, FIXTURE_SCHEMA, testResources, type TestDatabase } from './helpers.js';

const TYPES_DIR = path.join(import.meta.dirname, 'fixtures', 'types');

const { database } = testResources();

/** A fresh database with the fixture migrations applied, then altered by `sql`. */
async function migratedDatabase(sql?: string, migrationsDir = FIXTURE_MIGRATIONS): Promise<TestDatabase> {
  const db = await database(true);
  await runMigrations({ databaseUrl: db.url, migrationsDir });
  if (sql !== undefined) await db.query(sql);
  return db;
}

const drift = (db: TestDatabase): Promise<string[]> =>
  checkSchemaDrift({ databaseUrl: db.url, schemaPath: FIXTURE_SCHEMA });

describe('checkSchemaDrift', () => {
  it('finds no drift between the fixture schema and its migrations', async () => {
    const db = await migratedDatabase();
    expect(await drift(db)).toEqual([]);
  });

  it('reports every model as missing on an empty database', async () => {
    const db = await database(true);
    expect(await drift(db)).toEqual([
      'Enum "meeting_role" is missing in the database',
      'Table "users" (User) is missing in the database',
      'Table "meetings" (Meeting) is missing in the database',
      'Table "memberships" (Membership) is missing in the database',
    ]);
  });

  it('reports a missing column', async () => {
    const db = await migratedDatabase('ALTER TABLE "meetings" DROP COLUMN "title"');
    expect(await drift(db)).toEqual(['Column "meetings"."title" (Meeting.title) is missing in the database']);
  });

  it('reports a nullability change', async () => {
    const db = await migratedDatabase('ALTER TABLE "users" ALTER COLUMN "display_name" SET NOT NULL');
    expect(await drift(db)).toEqual([
      'Column "users"."display_name" (User.displayName) is NOT NULL in the database, schema.prisma expects nullable',
    ]);
  });

  it('reports a wrong column type', async () => {
    const db = await migratedDatabase('ALTER TABLE "users" ALTER COLUMN "email" TYPE TEXT');
    expect(await drift(db)).toEqual([
      'Column "users"."email" (User.email) has type text in the database, schema.prisma expects citext',
    ]);
  });

  it('reports a wrong timestamp precision and time zone', async () => {
    const db = await migratedDatabase('ALTER TABLE "memberships" ALTER COLUMN "joined_at" TYPE TIMESTAMPTZ(6)');
    expect(await drift(db)).toEqual([
      'Column "memberships"."joined_at" (Membership.joinedAt) has type timestamp(6) with time zone in the database, ' +
        'schema.prisma expects timestamp(3) without time zone',
    ]);
  });

  it('reports a missing index', async () => {
    const db = await migratedDatabase('DROP INDEX "meetings_owner_id_starts_at_idx"');
    expect(await drift(db)).toEqual([
      'Index "meetings_owner_id_starts_at_idx" on "meetings" (owner_id, starts_at DESC) is missing in the database',
    ]);
  });

  it('reports an index whose column order changed', async () => {
    const db = await migratedDatabase(
      'DROP INDEX "meetings_owner_id_starts_at_idx"; ' +
        'CREATE INDEX "meetings_owner_id_starts_at_idx" ON "meetings"("owner_id", "starts_at")',
    );
    expect(await drift(db)).toEqual([
      'Index "meetings_owner_id_starts_at_idx" differs: the database has index "meetings_owner_id_starts_at_idx" on ' +
        '"meetings" (owner_id, starts_at), schema.prisma expects index "meetings_owner_id_starts_at_idx" on ' +
        '"meetings" (owner_id, starts_at DESC)',
    ]);
  });

  it('reports an extra table', async () => {
    const db = await migratedDatabase('CREATE TABLE "stray" ("id" INTEGER PRIMARY KEY)');
    expect(await drift(db)).toEqual(['Table "stray" exists in the database but not in schema.prisma']);
  });

  it('reports a missing unique constraint', async () => {
    const db = await migratedDatabase('DROP INDEX "meetings_tenant_id_slug_key"');
    expect(await drift(db)).toEqual([
      'Unique index "meetings_tenant_id_slug_key" on "meetings" (tenant_id, slug) is missing in the database',
    ]);
  });

  it('reports foreign key, enum, default, extra column and extra index differences', async () => {
    const db = await migratedDatabase(`
      ALTER TABLE "meetings" DROP CONSTRAINT "meetings_owner_id_fkey";
      ALTER TABLE "meetings" ADD CONSTRAINT "meetings_owner_id_fkey" FOREIGN KEY ("owner_id")
        REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
      ALTER TYPE "meeting_role" ADD VALUE 'ADMIN';
      ALTER TABLE "meetings" ALTER COLUMN "capacity" SET DEFAULT 12;
      ALTER TABLE "memberships" ALTER COLUMN "joined_at" DROP DEFAULT;
      ALTER TABLE "users" ADD COLUMN "nickname" TEXT;
      CREATE INDEX "users_created_at_idx" ON "users"("created_at");
      ALTER TABLE "memberships" DROP CONSTRAINT "memberships_user_id_fkey";
    `);
    expect(await drift(db)).toEqual([
      'Enum "meeting_role" has value "ADMIN" in the database that schema.prisma does not declare',
      'Column "users"."nickname" exists in the database but not in schema.prisma',
      'Index "users_created_at_idx" on "users" (created_at) exists in the database but not in schema.prisma',
      'Column "meetings"."capacity" (Meeting.capacity) has default \'12\' in the database, schema.prisma expects default \'10\'',
      'Foreign key "meetings_owner_id_fkey" on "meetings" (owner_id) -> "users" (id) has ON DELETE RESTRICT in the database, ' +
        'schema.prisma expects CASCADE',
      'Column "memberships"."joined_at" (Membership.joinedAt) has no default in the database, schema.prisma expects default now()',
      'Foreign key on "memberships" (user_id) -> "users" (id) is missing in the database',
    ]);
  });

  it('reports a renamed primary key and a renamed index', async () => {
    const db = await migratedDatabase(`
      ALTER TABLE "users" RENAME CONSTRAINT "users_pkey" TO "users_pk";
      ALTER INDEX "memberships_user_id_idx" RENAME TO "memberships_user";
    `);
    expect(await drift(db)).toEqual([
      'Primary key of "users" is named "users_pk" in the database, schema.prisma expects "users_pkey"',
      'Index on "memberships" (user_id) is named "memberships_user" in the database, schema.prisma expects "memberships_user_id_idx"',
    ]);
  });

  describe('type mapping fixture', () => {
    const typesDrift = (db: TestDatabase): Promise<string[]> =>
      checkSchemaDrift({ databaseUrl: db.url, schemaPath: path.join(TYPES_DIR, 'schema.prisma') });
    const typesDatabase = (sql?: string): Promise<TestDatabase> =>
      migratedDatabase(sql, path.join(TYPES_DIR, 'migrations'));

    it('finds no drift for every scalar type, lists, an implicit many-to-many and default actions', async () => {
      const db = await typesDatabase();
      expect(await typesDrift(db)).toEqual([]);
    });

    it('reports type, default, join-table and referential-action changes', async () => {
      const db = await typesDatabase(`
        ALTER TABLE "Sample" ALTER COLUMN "money" TYPE DECIMAL(12,2);
        ALTER TABLE "Sample" ALTER COLUMN "price" TYPE DECIMAL(65,20);
        ALTER TABLE "Sample" ALTER COLUMN "label" SET DEFAULT 'its';
        ALTER TABLE "Sample" ALTER COLUMN "tags" SET NOT NULL;
        DROP INDEX "_SampleToTag_B_index";
        ALTER TABLE "Note" DROP CONSTRAINT "Note_sample_id_fkey";
        ALTER TABLE "Note" ADD CONSTRAINT "Note_sample_id_fkey" FOREIGN KEY ("sample_id") REFERENCES "Sample"("id")
          ON DELETE SET NULL ON UPDATE NO ACTION;
      `);
      expect(await typesDrift(db)).toEqual([
        'Column "Sample"."price" (Sample.price) has type numeric(65,20) in the database, schema.prisma expects numeric(65,30)',
        'Column "Sample"."money" (Sample.money) has type numeric(12,2) in the database, schema.prisma expects numeric(10,2)',
        'Column "Sample"."label" (Sample.label) has default \'its\' in the database, schema.prisma expects default \'it\'s\'',
        'Foreign key "Note_sample_id_fkey" on "Note" (sample_id) -> "Sample" (id) has ON UPDATE NO ACTION in the database, ' +
          'schema.prisma expects CASCADE',
        'Index "_SampleToTag_B_index" on "_SampleToTag" (B) is missing in the database',
      ]);
    });
  });
});

import { fileURLToPath } from 'node:url';
import { listLocalMigrations } from './migrations-dir.js';

/**
 * A service's `prisma/migrations`, found from one of its modules whether it runs from `src/`
 * or from a build's `dist/src/` (the image keeps prisma/migrations at the service root).
 */
export function migrationsDirOf(moduleUrl: string): string {
  const root = new URL(moduleUrl.includes('/dist/src/') ? '../../' : '../', moduleUrl);
  return fileURLToPath(new URL('prisma/migrations', root));
}

/** Runs one parameterised SQL statement and returns its rows (Prisma's $queryRawUnsafe fits). */
export type SqlQuery = (sql: string, ...values: unknown[]) => Promise<unknown[]>;

const APPLIED = `SELECT 1 FROM _prisma_migrations
  WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`;

/**
 * A readiness check that passes only once the newest migration this build ships has been
 * applied. Newer migrations may exist (a rolling upgrade migrates before the old pods go), so
 * it asks for this one migration, not for "nothing newer". Until it passes, the pod takes no
 * traffic: code that expects a column the database lacks would answer 500s.
 */
export async function schemaReadinessCheck(migrationsDir: string, query: SqlQuery): Promise<() => Promise<void>> {
  const expected = (await listLocalMigrations(migrationsDir)).at(-1)?.name;
  if (expected === undefined) throw new Error(`no migrations in ${migrationsDir}`);
  return async () => {
    const rows = await query(APPLIED, expected);
    if (rows.length === 0) throw new Error(`migration ${expected} is not applied`);
  };
}

import { runMigrations } from './migrate.js';
import { migrationsDirOf } from './schema-readiness.js';

/**
 * The body of a service's one-shot migration entry (`pnpm db:migrate`, the Kubernetes
 * migration Job): finds `prisma/migrations` next to the entry whether it runs from `src/` or
 * from a build's `dist/src/`, applies what is pending and says what it did. The entry itself
 * is one line: `await migrateService(import.meta.url, 'my-service', loadMigrationConfig())`.
 */
export async function migrateService(entryUrl: string, service: string, config: { env: string; database: { url: string } }) {
  const log = (msg: string) => console.log(`[${service} migrate] ${msg}`);
  const result = await runMigrations({
    databaseUrl: config.database.url,
    migrationsDir: migrationsDirOf(entryUrl),
    // Outside production the database is created when missing: a fresh machine needs no manual step.
    createDatabase: config.env !== 'production',
    log,
  });
  log(`applied ${result.applied.length}, already applied ${result.alreadyApplied.length}`);
  return result;
}

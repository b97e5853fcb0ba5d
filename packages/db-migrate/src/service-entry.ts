import { runMigrations } from './migrate.js';
import { migrationsDirOf } from './schema-readiness.js';

/**
 * The body of a service's one-shot migration entry (`pnpm db:migrate`, the Kubernetes
 * migration Job): finds `prisma/migrations` next to the entry whether it runs from `src/` or
 * from a build's `dist/src/`, applies what is pending and says what it did.
 */
export async function migrateService(opts: { entryUrl: string; service: string; databaseUrl: string; createDatabase: boolean }) {
  const log = (msg: string) => console.log(`[${opts.service} migrate] ${msg}`);
  const result = await runMigrations({
    databaseUrl: opts.databaseUrl,
    migrationsDir: migrationsDirOf(opts.entryUrl),
    createDatabase: opts.createDatabase,
    log,
  });
  log(`applied ${result.applied.length}, already applied ${result.alreadyApplied.length}`);
  return result;
}

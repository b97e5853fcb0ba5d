export { runMigrations, PRISMA_ADVISORY_LOCK_KEY } from './migrate.js';
export type { RunMigrationsOptions, RunMigrationsResult } from './migrate.js';
export { MigrationError } from './errors.js';
export type { MigrationErrorCode } from './errors.js';
export { checksumOf } from './migrations-dir.js';
export { migrateService } from './service-entry.js';
export { migrationsDirOf, schemaReadinessCheck } from './schema-readiness.js';
export type { SqlQuery } from './schema-readiness.js';

/**
 * Why a migration run stopped. Codes in comments are the Prisma errors that `prisma migrate
 * deploy` would raise in the same situation, so operators can follow Prisma's runbooks.
 */
export type MigrationErrorCode =
  /** migration_lock.toml is missing or names another provider (P3019). */
  | 'PROVIDER_MISMATCH'
  /** The migrations folder or a migration.sql inside it cannot be read. */
  | 'MIGRATIONS_DIR_INVALID'
  /** No _prisma_migrations table but the schema already has tables (P3005). */
  | 'SCHEMA_NOT_EMPTY'
  /** A previous attempt failed and was never resolved (P3009). */
  | 'FAILED_MIGRATION_FOUND'
  /** An applied migration.sql was edited afterwards (what `migrate status` reports). */
  | 'CHECKSUM_MISMATCH'
  /** The database has an applied migration whose folder is gone (what `migrate status` reports). */
  | 'MIGRATION_MISSING_LOCALLY'
  /** A migration script failed while being applied (P3018). */
  | 'MIGRATION_FAILED'
  /** Another runner held the advisory lock for longer than the allowed wait (P1002). */
  | 'LOCK_TIMEOUT'
  /** The database could not be created. */
  | 'CREATE_DATABASE_FAILED';

export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  /** The migration the error is about, when there is exactly one. */
  readonly migrationName: string | undefined;

  constructor(
    code: MigrationErrorCode,
    message: string,
    options: { migrationName?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.code = code;
    this.migrationName = options.migrationName;
  }
}

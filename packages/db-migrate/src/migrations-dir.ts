import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MigrationError } from './errors.js';

export interface LocalMigration {
  /** Folder name, `<timestamp>_<name>`; this is what `_prisma_migrations.migration_name` holds. */
  name: string;
  /** The script exactly as read from migration.sql. */
  script: string;
  /** Lowercase hex SHA-256 of migration.sql's bytes, as Prisma stores it. */
  checksum: string;
}

const LOCK_FILE = 'migration_lock.toml';
const SCRIPT_FILE = 'migration.sql';

/** Lowercase hex SHA-256, zero-padded to 64 characters (Prisma's `render_checksum`). */
export function checksumOf(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Whether a stored checksum matches a script. Mirrors Prisma's `script_matches_checksum`: a
 * checkout that converted line endings (git autocrlf) is not a modified migration, and rows
 * written by old engines hold hex without zero padding.
 */
export function scriptMatchesChecksum(script: string, stored: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant).digest();
    const rendered =
      stored.length !== 0 && stored.length !== 64
        ? Array.from(digest, (byte) => byte.toString(16)).join('')
        : digest.toString('hex');
    return rendered === stored;
  });
}

/**
 * Reads migration_lock.toml like Prisma (first line starting with `provider`) and refuses any
 * provider other than postgresql: scripts written for another database would half-apply.
 */
export async function assertPostgresLockFile(migrationsDir: string): Promise<void> {
  const lockPath = path.join(migrationsDir, LOCK_FILE);
  let content: string;
  try {
    content = await readFile(lockPath, 'utf8');
  } catch (err) {
    throw new MigrationError('PROVIDER_MISMATCH', `Cannot read ${lockPath}; expected provider = "postgresql"`, {
      cause: err,
    });
  }
  const line = content.split(/\r?\n/).find((l) => l.startsWith('provider'));
  const provider = line?.match(/^provider\s*=\s*"([^"]*)"/)?.[1];
  if (provider !== 'postgresql') {
    throw new MigrationError(
      'PROVIDER_MISMATCH',
      `${lockPath} names provider ${provider === undefined ? '(none)' : `"${provider}"`}; ` +
        'these migrations can only be applied to postgresql',
    );
  }
}

/**
 * Lists `<migrationsDir>/<name>/migration.sql` in lexical folder order, the order Prisma applies
 * them in. Plain files beside the folders (the lock file, READMEs) are ignored, as Prisma does.
 */
export async function listLocalMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    throw new MigrationError('MIGRATIONS_DIR_INVALID', `Cannot read migrations folder ${migrationsDir}`, {
      cause: err,
    });
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    // Code-unit order, not locale order, so the result never depends on the machine's locale.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const scriptPath = path.join(migrationsDir, name, SCRIPT_FILE);
    let bytes: Buffer;
    try {
      bytes = await readFile(scriptPath);
    } catch (err) {
      throw new MigrationError('MIGRATIONS_DIR_INVALID', `Migration folder ${name} has no readable ${SCRIPT_FILE}`, {
        migrationName: name,
        cause: err,
      });
    }
    migrations.push({ name, script: bytes.toString('utf8'), checksum: checksumOf(bytes) });
  }
  return migrations;
}

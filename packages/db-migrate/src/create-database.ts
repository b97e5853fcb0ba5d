import pg from 'pg';
import { quoteIdent, sqlState, withDatabase, type ParsedDatabaseUrl } from './connection.js';
import { MigrationError } from './errors.js';

/** duplicate_database: someone else created it between our check and our CREATE. */
const DUPLICATE_DATABASE = '42P04';
/** unique_violation: two CREATE DATABASE racing on pg_database's name index. */
const UNIQUE_VIOLATION = '23505';
/** invalid_catalog_name: the maintenance database does not exist. */
const INVALID_CATALOG_NAME = '3D000';

/**
 * Creates the target database when it does not exist yet. Returns true when this call created it.
 * Connects to the `postgres` maintenance database (falling back to `template1`, as Prisma does)
 * because a missing database cannot be connected to.
 */
export async function ensureDatabase(parsed: ParsedDatabaseUrl): Promise<boolean> {
  const database = parsed.database;
  if (database === undefined) {
    throw new MigrationError(
      'CREATE_DATABASE_FAILED',
      'createDatabase needs a database name in databaseUrl (postgres://host/NAME)',
    );
  }
  const admin = await connectMaintenance(parsed.connectionString);
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount !== 0) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (err) {
      const state = sqlState(err);
      if (state === DUPLICATE_DATABASE || state === UNIQUE_VIOLATION) return false;
      // A racing creator can also surface as other errors (e.g. template busy); if the database
      // is there now, someone else made it and that is all we need.
      const recheck = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]).catch(() => null);
      if (recheck !== null && recheck.rowCount !== 0) return false;
      throw new MigrationError('CREATE_DATABASE_FAILED', `Could not create database "${database}": ${String(err)}`, {
        cause: err,
      });
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function connectMaintenance(connectionString: string): Promise<pg.Client> {
  for (const name of ['postgres', 'template1']) {
    const client = new pg.Client({ connectionString: withDatabase(connectionString, name) });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (sqlState(err) !== INVALID_CATALOG_NAME || name === 'template1') throw err;
    }
  }
  // Unreachable: the loop either returns or throws on its last pass.
  throw new Error('no maintenance database reachable');
}

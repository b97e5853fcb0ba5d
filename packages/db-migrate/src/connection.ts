import pg from 'pg';

/**
 * Query parameters that only Prisma understands. They are removed before the URL reaches
 * node-postgres, which would otherwise forward unknown ones to the server as settings.
 */
const PRISMA_ONLY_PARAMS = [
  'schema',
  'connection_limit',
  'pool_timeout',
  'pgbouncer',
  'statement_cache_size',
  'socket_timeout',
];

export interface ParsedDatabaseUrl {
  /** URL for node-postgres, without Prisma-only parameters. */
  connectionString: string;
  /** Database name from the path, or undefined when the URL leaves it to the server default. */
  database: string | undefined;
  /** Postgres schema Prisma would use: the `schema` parameter, else `public`. */
  schema: string;
}

export function parseDatabaseUrl(databaseUrl: string): ParsedDatabaseUrl {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // The URL may carry a password, so it is never echoed back.
    throw new Error('databaseUrl is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`databaseUrl must use postgres:// or postgresql://, got ${url.protocol}//`);
  }
  const schema = url.searchParams.get('schema') ?? 'public';
  for (const name of PRISMA_ONLY_PARAMS) url.searchParams.delete(name);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return { connectionString: url.toString(), database: path === '' ? undefined : path, schema };
}

/** Same server and credentials, another database (used to reach `postgres` for CREATE DATABASE). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Double-quoted identifier, safe for any name (quotes are doubled, as Postgres requires). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Opens a client whose unqualified names resolve in `schema`, the way Prisma scopes its
 * connection, so `_prisma_migrations` and the migration scripts land where Prisma expects.
 */
export async function connect(parsed: ParsedDatabaseUrl): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: parsed.connectionString });
  // An idle-connection error (server restart) would otherwise crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`SET search_path TO ${quoteIdent(parsed.schema)}`);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/** SQLSTATE of a node-postgres error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

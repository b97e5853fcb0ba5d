import pg from 'pg';

const SAFE_NAME = /^authmeet_bench_[a-z0-9_]+$/;

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops (if left over) and creates each bench database; returns their URLs by name. */
export async function freshDatabases(serverUrl: string, names: readonly string[]): Promise<Record<string, string>> {
  for (const name of names) if (!SAFE_NAME.test(name)) throw new Error(`refusing to recreate database ${name}`);
  await withAdmin(serverUrl, async (client) => {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${name}"`);
    }
  });
  return Object.fromEntries(names.map((n) => [n, databaseUrl(serverUrl, n)]));
}

export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  await withAdmin(serverUrl, async (client) => {
    for (const name of names) {
      if (SAFE_NAME.test(name)) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });
}

export async function postgresVersion(serverUrl: string): Promise<string> {
  return withAdmin(serverUrl, async (client) => {
    const res = await client.query<{ server_version: string }>('SHOW server_version');
    return res.rows[0]?.server_version ?? 'unknown';
  });
}

/** Process ids of the Postgres backends connected to `database` (for CPU per operation). */
export async function backendPids(serverUrl: string, database: string): Promise<number[]> {
  return withAdmin(serverUrl, async (client) => {
    const res = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return res.rows.map((r) => r.pid);
  });
}

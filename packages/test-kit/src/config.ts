/** The environment the test kit reads: where to find external tools. */
export function toolEnv(env: Record<string, string | undefined> = process.env) {
  return { path: env.PATH ?? '', promtool: env.PROMTOOL };
}

/**
 * TEST_PG_POOLER_PORT: hand out database URLs through a connection pooler (PgBouncer in
 * transaction mode) on that port of the same host, while creating, migrating and dropping the
 * databases directly: runs a service's own tests through the pooler (see the README, PgBouncer).
 */
export const testPoolerPort: string | undefined = process.env.TEST_PG_POOLER_PORT;

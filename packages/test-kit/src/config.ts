/** The environment the test kit reads: where to find external tools. */
export function toolEnv(env: Record<string, string | undefined> = process.env) {
  return { path: env.PATH ?? '', promtool: env.PROMTOOL };
}

/**
 * The environment a command-line tool the tests run gets: the process's own, plus `extra`
 * (e.g. Redocly CLI's telemetry switched off).
 */
export function childEnv(extra: Record<string, string>, env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  return { ...env, ...extra };
}

/**
 * TEST_PG_POOLER_PORT: hand out database URLs through a connection pooler (PgBouncer in
 * transaction mode) on that port of the same host, while creating, migrating and dropping the
 * databases directly: runs a service's own tests through the pooler (see the README, PgBouncer).
 */
export const testPoolerPort: string | undefined = process.env.TEST_PG_POOLER_PORT;

/**
 * How the tests reach Redis. By default the shared standalone Redis on 6379; `pnpm test:cluster`
 * runs the Redis-heavy test files unchanged against a private Redis Cluster by setting
 * TEST_REDIS_MODE=cluster and TEST_REDIS_NODES (comma-separated redis:// URLs, one per primary)
 * in its vitest global setup (see cluster-global-setup.ts).
 */
export type TestRedisMode = 'standalone' | 'cluster';

const mode = process.env.TEST_REDIS_MODE ?? 'standalone';
if (mode !== 'standalone' && mode !== 'cluster') throw new Error(`TEST_REDIS_MODE must be standalone or cluster, not ${mode}`);
const nodes = process.env.TEST_REDIS_NODES ?? '';
if (mode === 'cluster' && nodes === '') throw new Error('TEST_REDIS_MODE=cluster needs TEST_REDIS_NODES');

export const TEST_REDIS_MODE: TestRedisMode = mode;
/** REDIS_URL for a service under test: one URL, or the cluster's node list. */
export const TEST_REDIS_URL = mode === 'cluster' ? nodes : 'redis://127.0.0.1:6379';

/** Hands a started cluster to the test workers, which are forked after global setup runs. */
export function exportClusterEnv(url: string): void {
  process.env.TEST_REDIS_MODE = 'cluster';
  process.env.TEST_REDIS_NODES = url;
}

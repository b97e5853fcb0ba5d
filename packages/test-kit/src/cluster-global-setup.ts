import { exportClusterEnv } from './config.js';
import { startRedisCluster } from './redis-cluster.js';

/**
 * vitest `globalSetup` for the cluster test mode: one private 3-primary cluster per test run,
 * shared by all files (each file still uses its own key prefix), removed at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster();
  exportClusterEnv(cluster.url);
  return () => cluster.stop();
}

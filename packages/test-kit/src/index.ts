import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@authmeet/db-migrate';
import { testPoolerPort } from './config.js';

/** Postgres server the tests use; each test file gets its own database on it. */
export const TEST_PG_SERVER = 'postgresql://postgres@127.0.0.1:5432';

export interface TestDatabase {
  /** Through the pooler when TEST_PG_POOLER_PORT is set, else the database itself. */
  url: string;
  /** Always the database itself: what DATABASE_DIRECT_URL names (LISTEN, migrations). */
  directUrl: string;
  name: string;
  drop(): Promise<void>;
}

const uniqueSuffix = () => `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/** A fresh, fully migrated database, so test files never see each other's rows. */
export async function createTestDatabase(prefix: string, migrationsDir: string, server = TEST_PG_SERVER): Promise<TestDatabase> {
  const name = `${prefix}_${uniqueSuffix()}`;
  const url = `${server}/${name}`;
  await runMigrations({ databaseUrl: url, migrationsDir, createDatabase: true });
  const pooled = new URL(url);
  if (testPoolerPort !== undefined && server === TEST_PG_SERVER) pooled.port = testPoolerPort;
  return {
    url: pooled.toString(),
    directUrl: url,
    name,
    async drop() {
      const admin = new pg.Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A Redis key prefix no other test file uses. */
export const uniqueRedisPrefix = (label: string) => `test:${label}:${uniqueSuffix()}:`;

/** Polls until `check` passes or the time is up; bounded, so a broken feature fails the test. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw lastError instanceof Error ? lastError : new Error('condition not met in time');
}

export const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
export * from './http.js';
export * from './promtool.js';
export * from './raw-socket.js';
export * from './caching.js';
export * from './private-redis.js';
export * from './load.js';
export * from './redis.js';
export { startRedisCluster, usePrivateRedisCluster } from './redis-cluster.js';
export type { RedisClusterHandle } from './redis-cluster.js';
export { TEST_REDIS_MODE, TEST_REDIS_URL } from './config.js';
export type { TestRedisMode } from './config.js';
export * from './webauthn.js';
export { startTestS3 } from './s3.js';
export { inFreshProcess } from './fresh-process.js';
export { probeQueryCompiler, queryCompilerSuite } from './prisma-compiler.js';
export type { QueryCompilerProbe } from './prisma-compiler.js';
export type { StoredObject, TestS3 } from './s3.js';
export { pngBomb, solidPng } from './png.js';
export * from './openapi.js';

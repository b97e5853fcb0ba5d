import { fileURLToPath } from 'node:url';
import { runMigrations } from '@authmeet/db-migrate';
import { loadConfig } from './config.js';

// One-shot migration entry point (`pnpm db:migrate`, the Kubernetes migration Job).
const config = loadConfig();
// src/migrate.ts in development, dist/src/migrate.js in a build: the service root is one or two up.
const serviceRoot = new URL(import.meta.url.includes('/dist/src/') ? '../../' : '../', import.meta.url);
const migrationsDir = fileURLToPath(new URL('prisma/migrations', serviceRoot));
const result = await runMigrations({
  databaseUrl: config.database.url,
  migrationsDir,
  createDatabase: config.env !== 'production',
  log: (msg) => console.log(`[meetings-service migrate] ${msg}`),
});
console.log(`[meetings-service migrate] applied ${result.applied.length}, already applied ${result.alreadyApplied.length}`);

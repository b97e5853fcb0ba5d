import { migrateService } from '@authmeet/db-migrate';
import { loadMigrationConfig } from './config.js';

// One-shot migration entry point (`pnpm db:migrate`, the Kubernetes migration Job). Outside
// production the database is created when missing, so a fresh machine needs no manual step.
const config = loadMigrationConfig();
await migrateService({
  entryUrl: import.meta.url,
  service: 'auth-service',
  databaseUrl: config.database.url,
  createDatabase: config.env !== 'production',
});

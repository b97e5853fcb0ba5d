import { migrateService } from '@authmeet/db-migrate';
import { loadMigrationConfig } from './config.js';

// One-shot migration entry point (`pnpm db:migrate`, the Kubernetes migration Job).
await migrateService(import.meta.url, 'meetings-service', loadMigrationConfig());

import { queryCompilerSuite } from '@authmeet/test-kit';
import { migrationsDir } from './migrations-dir.js';

// @authmeet/db's `queryCompilerFromFile` (root README, "Memory"), with this service's client.
queryCompilerSuite({ serviceDir: new URL('..', import.meta.url), migrationsDir, databasePrefix: 'auth_compiler', model: 'user' });

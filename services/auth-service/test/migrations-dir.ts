import { fileURLToPath } from 'node:url';

/** This service's migrations, for test databases (kept apart from test-app.ts, which builds the whole app). */
export const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

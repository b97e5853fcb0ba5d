import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate where the native engine exists). The app
// itself connects through @prisma/adapter-pg with the URL from src/config.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/authmeet_meetings' },
});

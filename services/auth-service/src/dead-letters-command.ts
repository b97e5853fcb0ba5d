import type { DeadLetterStore } from '@authmeet/http-kit';
import { loadConfig } from './config.js';
import { createPrismaClient } from './plugins/prisma.js';

type Prisma = ReturnType<typeof createPrismaClient>;

/** What the auth-service's dead-letter commands share: the package, and how they reach the database. */
export const deadLetterSource = <Row>(store: (prisma: Prisma) => DeadLetterStore<Row>) => ({
  pkg: '@authmeet/auth-service',
  reads: 'Reads DATABASE_URL and the rest of the auth-service configuration from the environment.',
  open: () => {
    const prisma = createPrismaClient(loadConfig().database);
    return { store: store(prisma), close: () => prisma.$disconnect() };
  },
});

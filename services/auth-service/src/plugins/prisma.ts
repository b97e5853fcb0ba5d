import { prismaKit } from '@authmeet/db';
import { PrismaClient } from '../generated/prisma/client.js';

// Types `app.prisma`, `Db` and `Tx` (from @authmeet/db) as this service's generated client.
declare module '@authmeet/db' {
  interface PrismaRegistry {
    client: PrismaClient;
  }
}

export type { Db, PrismaPluginOptions, Tx } from '@authmeet/db';

export const { createPrismaClient, prismaClient } = prismaKit(PrismaClient);

import { prismaKit } from '@authmeet/db';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Prisma } from '../generated/prisma/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
  }
}

export type { PrismaPluginOptions } from '@authmeet/db';

/** A client or an open transaction: repository methods take either, so services compose them. */
export type Db = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

export const { createPrismaClient, prismaClient } = prismaKit(PrismaClient);

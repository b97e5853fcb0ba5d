import { PrismaPg } from '@prisma/adapter-pg';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Prisma } from '../generated/prisma/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
  }
}

/** A client or an open transaction: repository methods take either, so services compose them. */
export type Db = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

export interface PrismaPluginOptions {
  url: string;
  poolSize: number;
}

export function createPrismaClient(opts: PrismaPluginOptions): PrismaClient {
  // node-postgres uses unnamed statements, so this works behind PgBouncer in transaction mode.
  const adapter = new PrismaPg({ connectionString: opts.url, max: opts.poolSize, connectionTimeoutMillis: 3000 });
  return new PrismaClient({ adapter });
}

async function prismaPlugin(app: FastifyInstance, opts: PrismaPluginOptions) {
  const prisma = createPrismaClient(opts);
  app.decorate('prisma', prisma);
  app.addHook('onClose', async () => {
    await prisma.$disconnect();
  });
}

export const prismaClient = fp(prismaPlugin, { name: 'authmeet-prisma', fastify: '5.x' });

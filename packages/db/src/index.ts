import { PrismaPg } from '@prisma/adapter-pg';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface PrismaPluginOptions {
  url: string;
  poolSize: number;
}

/** What a generated Prisma client class looks like from here: built on the pg adapter. */
export type PrismaClientClass<C> = new (options: { adapter: PrismaPg }) => C;

interface Disconnectable {
  $disconnect(): Promise<void>;
}

/**
 * The client factory and the Fastify plugin (`app.prisma`, disconnected on close) for one
 * service's generated client. The service declares `app.prisma`'s type itself, next to the call.
 */
export function prismaKit<C extends Disconnectable>(Client: PrismaClientClass<C>) {
  function createPrismaClient(opts: PrismaPluginOptions): C {
    // node-postgres uses unnamed statements, so this works behind PgBouncer in transaction mode.
    const adapter = new PrismaPg({ connectionString: opts.url, max: opts.poolSize, connectionTimeoutMillis: 3000 });
    return new Client({ adapter });
  }

  async function prismaPlugin(app: FastifyInstance, opts: PrismaPluginOptions) {
    const prisma = createPrismaClient(opts);
    // Typed by the service's own `declare module 'fastify'`, which this package cannot see.
    const property: string = 'prisma';
    app.decorate<Disconnectable>(property, prisma);
    app.addHook('onClose', async () => {
      await prisma.$disconnect();
    });
  }

  return { createPrismaClient, prismaClient: fp(prismaPlugin, { name: 'authmeet-prisma', fastify: '5.x' }) };
}

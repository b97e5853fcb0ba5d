import { PrismaPg } from '@prisma/adapter-pg';
import type { ITXClientDenyList } from '@prisma/client/runtime/client';
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
 * Each service names its generated client here, once, in its `plugins/prisma.ts`:
 * `declare module '@authmeet/db' { interface PrismaRegistry { client: PrismaClient } }`.
 * That types `app.prisma`, `Db` and `Tx` for the whole service.
 */
export interface PrismaRegistry {
  /** Names the registry in type errors; the service adds `client`. */
  readonly registry?: '@authmeet/db';
}

/** The service's generated client, as registered in `PrismaRegistry`. */
export type RegisteredClient = PrismaRegistry extends { client: infer C } ? C : never;
/** An open transaction of the service's client (Prisma's own `Prisma.TransactionClient`). */
export type Tx = Omit<RegisteredClient, ITXClientDenyList>;
/** A client or an open transaction: repository methods take either, so services compose them. */
export type Db = RegisteredClient | Tx;

declare module 'fastify' {
  interface FastifyInstance {
    prisma: RegisteredClient;
  }
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
    // Typed through the service's `PrismaRegistry` entry, which this package cannot see.
    const property: string = 'prisma';
    app.decorate<Disconnectable>(property, prisma);
    app.addHook('onClose', async () => {
      await prisma.$disconnect();
    });
  }

  return { createPrismaClient, prismaClient: fp(prismaPlugin, { name: 'authmeet-prisma', fastify: '5.x' }) };
}

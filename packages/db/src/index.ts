import { PrismaPg } from '@prisma/adapter-pg';
import type { ITXClientDenyList } from '@prisma/client/runtime/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';

export interface PrismaPluginOptions {
  url: string;
  poolSize: number;
}

/** What a generated Prisma client class looks like from here: built on the pg adapter. */
export type PrismaClientClass<C> = new (options: { adapter: PrismaPg }) => C;

interface Disconnectable {
  $connect(): Promise<void>;
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
    /**
     * The pool under `prisma`, for the few hottest reads whose SQL is already written by hand
     * (`Prisma.sql`): `pool.query(sql.text, sql.values)` costs less than half the CPU of
     * `$queryRaw` (no query plan, no result mapping). Same connections, same limit.
     */
    pg: pg.Pool;
  }
}

/**
 * The client factory and the Fastify plugin (`app.prisma`, disconnected on close) for one
 * service's generated client. The service declares `app.prisma`'s type itself, next to the call.
 */
export function prismaKit<C extends Disconnectable>(Client: PrismaClientClass<C>) {
  /**
   * The client and its pool. `$disconnect()` ends the pool too. A failing idle connection is
   * reported to `onPoolError` (an 'error' event with no listener would end the process).
   */
  function createDatabase(opts: PrismaPluginOptions, onPoolError: (err: Error) => void = () => undefined): { prisma: C; pool: pg.Pool } {
    // node-postgres uses unnamed statements, so this works behind PgBouncer in transaction mode.
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize, connectionTimeoutMillis: 3000 });
    pool.on('error', onPoolError);
    const prisma = new Client({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    return { prisma, pool };
  }

  function createPrismaClient(opts: PrismaPluginOptions): C {
    return createDatabase(opts).prisma;
  }

  async function prismaPlugin(app: FastifyInstance, opts: PrismaPluginOptions) {
    const { prisma, pool } = createDatabase(opts, (err) => app.log.warn({ err: err.message }, 'idle database connection failed'));
    // Typed through the service's `PrismaRegistry` entry, which this package cannot see.
    const property: string = 'prisma';
    app.decorate<Disconnectable>(property, prisma);
    app.decorate('pg', pool);
    // The query compiler (WebAssembly, ~12 MB resident) loads with the first query otherwise, which
    // then waits ~50 ms for it. Loaded while the app starts (no connection is opened), its garbage
    // also goes with start-up's collection (http-kit's serve).
    app.addHook('onReady', async () => {
      await prisma.$connect();
    });
    app.addHook('onClose', async () => {
      await prisma.$disconnect();
    });
  }

  return { createDatabase, createPrismaClient, prismaClient: fp(prismaPlugin, { name: 'authmeet-prisma', fastify: '5.x' }) };
}

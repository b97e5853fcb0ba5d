import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import type { GetPrismaClientConfig, ITXClientDenyList } from '@prisma/client/runtime/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';

export interface PrismaPluginOptions {
  url: string;
  poolSize: number;
}

/** What a generated Prisma client class looks like from here: built on the pg adapter. */
export type PrismaClientClass<C> = new (options: { adapter: PrismaPg }) => C;

/** V8's WebAssembly (the libs this package compiles with declare none). */
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> } };

/** `import("…wasm-base64.mjs")` in the generated client's loader, and what such a module holds. */
const BASE64_MODULE_IMPORT = /import\("(@prisma\/client\/runtime\/[\w.-]+\.wasm-base64\.mjs)"\)/;
const BASE64_MODULE_BODY = /^const wasm = "([A-Za-z0-9+/]*={0,2})";$/m;

/**
 * The query compiler's WebAssembly read from the file the generated client would import.
 *
 * The generated client (`prisma-client`, runtime `nodejs`) imports it as an ES module exporting
 * the binary as one base64 string. A module is never unloaded, so that string (2.3 MB of heap)
 * and the module's source text (2.2 MB) stay for the process's life, though the string is
 * used once. Read as a file, decoded and compiled here, both are garbage once the module is
 * compiled (start-up's collection takes them: `$connect` in `onReady`). Where the generated
 * loader or the file is not what this expects (another Prisma version), Prisma's own loader
 * runs: the same compiler, only the memory is not saved (each service's
 * test/query-compiler.test.ts fails then).
 */
export function queryCompilerFromFile(config: GetPrismaClientConfig): GetPrismaClientConfig {
  const loader = config.compilerWasm;
  const specifier = loader ? BASE64_MODULE_IMPORT.exec(String(loader.getQueryCompilerWasmModule))?.[1] : undefined;
  if (!loader || specifier === undefined) return config;
  const getQueryCompilerWasmModule = async () => {
    try {
      const text = await readFile(fileURLToPath(import.meta.resolve(specifier)), 'utf8');
      const base64 = BASE64_MODULE_BODY.exec(text)?.[1];
      if (base64 !== undefined) return await wasm.compile(Buffer.from(base64, 'base64'));
    } catch {
      // Unreadable or not WebAssembly: Prisma's own loader below, which reports its own errors.
    }
    return loader.getQueryCompilerWasmModule();
  };
  return { ...config, compilerWasm: { ...loader, getQueryCompilerWasmModule } };
}

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
    // `__internal.configOverride` is the client's own option (typed in @prisma/client's runtime,
    // not in a generated client's options): it swaps the query compiler's loader, nothing else.
    const options = { adapter: new PrismaPg(pool, { disposeExternalPool: true }), __internal: { configOverride: queryCompilerFromFile } };
    const prisma = new Client(options);
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

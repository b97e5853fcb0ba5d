import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFreshProcess } from './fresh-process.js';
import { createTestDatabase } from './index.js';
import type { TestDatabase } from './index.js';

export interface QueryCompilerProbe {
  /** How often a `*.wasm-base64.mjs` module was loaded (imported, not only resolved) while the client connected and queried. */
  base64Imports: number;
  /** `SELECT 1` through the client (`$queryRaw`), and the users table counted (the model's query). */
  one: number;
  users: number;
}

/**
 * In a fresh Node process (the sources through tsx), from `serviceDir`: connects a Prisma client
 * to `databaseUrl`, runs a raw query and a model query, and counts imports of Prisma's base64
 * WebAssembly modules. `client` is either the service's `createPrismaClient` (from
 * `prismaPluginUrl`), or, for `prisma: 'own'`, its generated client built the plain way.
 */
export async function probeQueryCompiler(opts: {
  serviceDir: string;
  prismaPluginUrl: string;
  generatedClientUrl: string;
  databaseUrl: string;
  client: 'service' | 'own';
  /** A model delegate with `count()` in the service's client (e.g. `user`). */
  model: string;
}): Promise<QueryCompilerProbe> {
  const source = `
import { registerHooks } from 'node:module';
let base64Imports = 0;
registerHooks({
  load(url, context, next) {
    if (url.endsWith('.wasm-base64.mjs')) base64Imports += 1;
    return next(url, context);
  },
});
let prisma;
if (${JSON.stringify(opts.client)} === 'service') {
  const { createPrismaClient } = await import(${JSON.stringify(opts.prismaPluginUrl)});
  prisma = createPrismaClient({ url: ${JSON.stringify(opts.databaseUrl)}, poolSize: 1 });
} else {
  const { PrismaClient } = await import(${JSON.stringify(opts.generatedClientUrl)});
  const { PrismaPg } = await import('@prisma/adapter-pg');
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: ${JSON.stringify(opts.databaseUrl)} }) });
}
await prisma.$connect();
const [{ one }] = await prisma.$queryRaw\`SELECT 1::int AS one\`;
const users = await prisma[${JSON.stringify(opts.model)}].count();
await prisma.$disconnect();
console.log(JSON.stringify({ base64Imports, one, users }));
`;
  return inFreshProcess<QueryCompilerProbe>(opts.serviceDir, source);
}

/**
 * The suite each service runs (`test/query-compiler.test.ts`): @authmeet/db's
 * `queryCompilerFromFile` loads Prisma's query compiler without its base64 module (which would
 * stay in memory, 4.5 MB, for the process's life), queries work, and the generated client alone
 * does load it (the check can fail). `serviceDir` is the service's folder as a file URL.
 */
export function queryCompilerSuite(opts: { serviceDir: URL; migrationsDir: string; databasePrefix: string; model: string }): void {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(opts.databasePrefix, opts.migrationsDir);
  });
  afterAll(async () => {
    await db.drop();
  });

  const probe = (client: 'service' | 'own') =>
    probeQueryCompiler({
      serviceDir: fileURLToPath(opts.serviceDir),
      prismaPluginUrl: new URL('src/plugins/prisma.ts', opts.serviceDir).href,
      generatedClientUrl: new URL('src/generated/prisma/client.ts', opts.serviceDir).href,
      databaseUrl: db.url,
      client,
      model: opts.model,
    });

  describe("Prisma's query compiler", () => {
    it('is loaded without importing its base64 module, and queries work', async () => {
      expect(await probe('service')).toEqual({ base64Imports: 0, one: 1, users: 0 });
    });

    it('the generated client alone imports it (the check can fail)', async () => {
      expect(await probe('own')).toEqual({ base64Imports: 1, one: 1, users: 0 });
    });
  });
}

import { connect, parseDatabaseUrl } from './connection.js';
import { compareSchemas } from './drift/compare.js';
import { loadSchema } from './drift/dmmf.js';
import { expectedSchema } from './drift/expected.js';
import { introspect } from './drift/introspect.js';

export interface CheckSchemaDriftOptions {
  /** postgres:// URL of the database to inspect. A Prisma-style `?schema=` picks the schema (default public). */
  databaseUrl: string;
  /** schema.prisma, or a folder of .prisma files. */
  schemaPath: string;
}

/**
 * Differences between schema.prisma and the live database, one sentence each; empty when they
 * agree. Compares tables, columns (type, nullability, default), primary keys, indexes and unique
 * constraints, foreign keys (target and referential actions) and enums, in both directions;
 * `_prisma_migrations` is ignored. Lives in its own entry point because the Prisma schema parser
 * is a multi-megabyte wasm module that production code has no reason to load.
 */
export async function checkSchemaDrift(options: CheckSchemaDriftOptions): Promise<string[]> {
  const schema = await loadSchema(options.schemaPath);
  const parsed = parseDatabaseUrl(options.databaseUrl);
  const client = await connect(parsed);
  try {
    const actual = await introspect(client, parsed.schema);
    return compareSchemas(expectedSchema(schema), actual);
  } finally {
    await client.end().catch(() => undefined);
  }
}

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';

/**
 * The part of Prisma's DMMF datamodel the drift check reads. Produced by Prisma's own schema
 * parser (prisma-schema-wasm, the engine build Prisma 7.10 ships), so attribute semantics such as
 * @map, native types and default names come from Prisma rather than from a re-implementation.
 */
export interface DmmfDatamodel {
  enums: DmmfEnum[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName?: string | null }[];
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

export type DmmfDefault =
  | { name: string; args: unknown[] }
  | string
  | number
  | boolean
  | unknown[];

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  hasDefaultValue: boolean;
  isUpdatedAt: boolean;
  type: string;
  /** `[name, args]`, e.g. `["VarChar", ["100"]]`. */
  nativeType?: [string, string[]] | null;
  default?: DmmfDefault;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  /** Present only when the schema names the constraint with `map:`. */
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}

export interface LoadedSchema {
  datamodel: DmmfDatamodel;
  /** `relationMode = "prisma"`: relations exist only in the client, so no foreign keys are expected. */
  emulatedRelations: boolean;
}

/** Reads schema.prisma, or every .prisma file under a folder (Prisma's multi-file schemas). */
async function readSchemaFiles(schemaPath: string): Promise<[string, string][]> {
  const info = await stat(schemaPath);
  if (!info.isDirectory()) return [[schemaPath, await readFile(schemaPath, 'utf8')]];
  const entries = await readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.prisma'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(files.map(async (file): Promise<[string, string]> => [file, await readFile(file, 'utf8')]));
}

export async function loadSchema(schemaPath: string): Promise<LoadedSchema> {
  const files = await readSchemaFiles(schemaPath);
  let raw: string;
  try {
    raw = get_dmmf(JSON.stringify({ prismaSchema: files, noColor: true }));
  } catch (err) {
    throw new Error(`Prisma could not parse ${schemaPath}: ${parserMessage(err)}`, { cause: err });
  }
  const parsed = JSON.parse(raw) as { datamodel: DmmfDatamodel };
  // The parser does not report relationMode in the DMMF, so it is read from the datasource block.
  const emulatedRelations = files.some(([, text]) =>
    /datasource\s+\w+\s*\{[^}]*relationMode\s*=\s*"prisma"/.test(text),
  );
  return { datamodel: parsed.datamodel, emulatedRelations };
}

/** The wasm parser throws an Error whose message is JSON `{ error_code, message }`. */
function parserMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : text;
  } catch {
    return text;
  }
}

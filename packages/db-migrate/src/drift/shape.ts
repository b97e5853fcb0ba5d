/**
 * A database schema reduced to what the drift check compares. Both sides (what schema.prisma
 * implies, what Postgres has) are turned into this shape so the comparison is plain data.
 */

export type ReferentialAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

export type DefaultShape =
  | { kind: 'none' }
  /** autoincrement(): a sequence (SERIAL) or identity column. */
  | { kind: 'sequence' }
  | { kind: 'now' }
  /** A constant; `value` is the unquoted literal text. */
  | { kind: 'literal'; value: string }
  /** Any other default; only its presence is compared. */
  | { kind: 'expression'; sql: string }
  /** Schema side only: a default whose database form cannot be predicted (dbgenerated()). */
  | { kind: 'unchecked' };

export interface ColumnShape {
  name: string;
  /** Postgres type as format_type() prints it (enums and extension types by bare name), `[]` for lists. */
  type: string;
  nullable: boolean;
  default: DefaultShape;
  /** Whether literal defaults compare as numbers (1.50 = 1.5). */
  numeric: boolean;
  /** `Model.field` for messages; absent for database-side columns. */
  source?: string;
}

export interface IndexColumnShape {
  /** Column name, or `(expression)` for expression indexes. */
  name: string;
  desc: boolean;
}

export interface IndexShape {
  name: string;
  unique: boolean;
  columns: IndexColumnShape[];
  /** Access method: btree, hash, gin, gist, spgist, brin. */
  algorithm: string;
  /** Database side only: has a WHERE clause, which schema.prisma cannot express. */
  partial?: boolean;
}

export interface PrimaryKeyShape {
  name: string;
  columns: string[];
}

export interface ForeignKeyShape {
  /** Schema side: undefined, because a custom `map:` on @relation is not visible in the DMMF. */
  name: string | undefined;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface TableShape {
  name: string;
  /** Model name for messages, when the table comes from schema.prisma. */
  source?: string;
  columns: ColumnShape[];
  primaryKey: PrimaryKeyShape | null;
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
}

export interface EnumShape {
  name: string;
  values: string[];
}

export interface SchemaShape {
  tables: TableShape[];
  enums: EnumShape[];
}

/** Postgres' NAMEDATALEN - 1: longer identifiers are truncated, and Prisma truncates its defaults to fit. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Cuts `base` to at most `limit` bytes without splitting a UTF-8 character, like Prisma's
 * `floor_char_boundary`, because default constraint names are truncated in bytes.
 */
function truncateBytes(base: string, limit: number): string {
  const bytes = Buffer.from(base, 'utf8');
  if (bytes.length <= limit) return base;
  let end = limit;
  // Continuation bytes look like 10xxxxxx; back up to the start of a character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Prisma's default constraint names (psl ConstraintNames), including its truncation rule. */
export function defaultConstraintName(
  table: string,
  columns: string[],
  kind: 'pkey' | 'key' | 'idx' | 'fkey',
): string {
  const suffix = `_${kind}`;
  const base = kind === 'pkey' ? table : `${table}_${columns.join('_')}`;
  const limit = MAX_IDENTIFIER_BYTES - suffix.length;
  const fitted = Buffer.byteLength(base, 'utf8') >= limit ? truncateBytes(base, limit) : base;
  return `${fitted}${suffix}`;
}

import type pg from 'pg';
import type { DefaultShape, ReferentialAction, SchemaShape, TableShape } from './shape.js';

/** Tables the drift check never reports: Prisma's history and PostGIS's system tables. */
const IGNORED_TABLES = /^(_prisma_migrations|spatial_ref_sys|geometry_columns)$/i;

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'NoAction',
  r: 'Restrict',
  c: 'Cascade',
  n: 'SetNull',
  d: 'SetDefault',
};

interface ColumnRow {
  table_name: string;
  column_name: string;
  not_null: boolean;
  formatted_type: string;
  type_schema: string;
  type_name: string;
  is_array: boolean;
  default_expr: string | null;
  identity: string;
}

const COLUMNS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name, a.attnotnull AS not_null,
       format_type(a.atttypid, a.atttypmod) AS formatted_type,
       bn.nspname AS type_schema, bt.typname AS type_name, (et.oid IS NOT NULL) AS is_array,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
JOIN pg_type bt ON bt.oid = COALESCE(et.oid, t.oid)
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

interface ConstraintRow {
  table_name: string;
  name: string;
  type: 'p' | 'f';
  columns: string[];
  ref_table: string | null;
  ref_columns: string[];
  on_delete: string;
  on_update: string;
}

const CONSTRAINTS_SQL = `
SELECT c.relname AS table_name, con.conname AS name, con.contype::text AS type,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
       fc.relname AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
WHERE n.nspname = $1 AND con.contype IN ('p', 'f')
ORDER BY c.relname, con.conname`;

interface IndexRow {
  table_name: string;
  name: string;
  unique: boolean;
  algorithm: string;
  partial: boolean;
  /** Key columns only (INCLUDE columns are cut off); null marks an expression. */
  columns: (string | null)[];
  desc: number[];
}

const INDEXES_SQL = `
SELECT c.relname AS table_name, ic.relname AS name, i.indisunique AS unique, am.amname AS algorithm,
       (i.indpred IS NOT NULL) AS partial,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num AND k.num <> 0
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
       ARRAY(SELECT (o.opt::int & 1) FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, ord)
             WHERE o.ord <= i.indnkeyatts ORDER BY o.ord) AS desc
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = $1 AND NOT i.indisprimary AND c.relkind IN ('r', 'p')
ORDER BY c.relname, ic.relname`;

const TABLES_SQL = `
SELECT c.relname AS name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname`;

const ENUMS_SQL = `
SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = $1
GROUP BY t.typname
ORDER BY t.typname`;

/** Reads a default back into the comparable forms (Postgres adds casts such as `'x'::text`). */
export function parseDefault(expr: string | null, identity: string): DefaultShape {
  if (identity === 'a' || identity === 'd') return { kind: 'sequence' };
  if (expr === null) return { kind: 'none' };
  const sql = expr.trim();
  if (/^nextval\(/i.test(sql)) return { kind: 'sequence' };
  if (/^(CURRENT_TIMESTAMP|now\(\))/i.test(sql)) return { kind: 'now' };
  const quoted = /^'((?:[^']|'')*)'(?:::[\w\s".[\]()]+)*$/.exec(sql);
  if (quoted?.[1] !== undefined) return { kind: 'literal', value: quoted[1].replace(/''/g, "'") };
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(sql) || sql === 'true' || sql === 'false') {
    return { kind: 'literal', value: sql };
  }
  return { kind: 'expression', sql };
}

/** Enums, extension types and other non-catalog types by bare name, the way Prisma names them. */
function columnType(row: ColumnRow): string {
  if (row.type_schema === 'pg_catalog') return row.formatted_type;
  return row.is_array ? `${row.type_name}[]` : row.type_name;
}

/** The live schema `schemaName`, minus tables the drift check ignores. */
export async function introspect(client: pg.Client, schemaName: string): Promise<SchemaShape> {
  // One after another: a pg.Client runs one query at a time, and queuing on it is deprecated.
  const tableRows = await client.query<{ name: string }>(TABLES_SQL, [schemaName]);
  const columns = await client.query<ColumnRow>(COLUMNS_SQL, [schemaName]);
  const constraints = await client.query<ConstraintRow>(CONSTRAINTS_SQL, [schemaName]);
  const indexes = await client.query<IndexRow>(INDEXES_SQL, [schemaName]);
  const enums = await client.query<{ name: string; values: string[] }>(ENUMS_SQL, [schemaName]);


  const tables = new Map<string, TableShape>();
  const emptyTable = (name: string): TableShape => ({ name, columns: [], primaryKey: null, indexes: [], foreignKeys: [] });

  for (const row of tableRows.rows) {
    if (!IGNORED_TABLES.test(row.name)) tables.set(row.name, emptyTable(row.name));
  }
  for (const row of columns.rows) {
    tables.get(row.table_name)?.columns.push({
      name: row.column_name,
      type: columnType(row),
      nullable: !row.not_null,
      default: parseDefault(row.default_expr, row.identity),
      numeric: false,
    });
  }
  for (const row of constraints.rows) {
    const table = tables.get(row.table_name);
    if (table === undefined) continue;
    if (row.type === 'p') {
      table.primaryKey = { name: row.name, columns: row.columns };
    } else {
      table.foreignKeys.push({
        name: row.name,
        columns: row.columns,
        refTable: row.ref_table ?? '',
        refColumns: row.ref_columns,
        onDelete: ACTIONS[row.on_delete] ?? 'NoAction',
        onUpdate: ACTIONS[row.on_update] ?? 'NoAction',
      });
    }
  }
  for (const row of indexes.rows) {
    const table = tables.get(row.table_name);
    if (table === undefined) continue;
    table.indexes.push({
      name: row.name,
      unique: row.unique,
      algorithm: row.algorithm,
      partial: row.partial,
      columns: row.columns.map((name, i) => ({ name: name ?? '(expression)', desc: row.desc[i] === 1 })),
    });
  }

  return { tables: [...tables.values()], enums: enums.rows };
}

import type { DmmfDefault, DmmfEnum, DmmfField, DmmfModel, LoadedSchema } from './dmmf.js';
import {
  defaultConstraintName,
  type ColumnShape,
  type DefaultShape,
  type ForeignKeyShape,
  type IndexShape,
  type ReferentialAction,
  type SchemaShape,
  type TableShape,
} from './shape.js';
import { implicitManyToManyTables } from './many-to-many.js';
import { columnOf, columnType, enumNameOf, tableOf } from './prisma-types.js';

const NUMERIC_SCALARS = new Set(['Int', 'BigInt', 'Float', 'Decimal']);
/** Defaults Prisma Client fills in itself; the column has no database default. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

function expectedDefault(field: DmmfField, enums: Map<string, DmmfEnum>): DefaultShape {
  if (!field.hasDefaultValue || field.default === undefined) return { kind: 'none' };
  const value: DmmfDefault = field.default;
  if (Array.isArray(value)) return { kind: 'expression', sql: 'ARRAY[...]' };
  if (typeof value === 'object') {
    if (value.name === 'autoincrement') return { kind: 'sequence' };
    if (value.name === 'now') return { kind: 'now' };
    if (CLIENT_SIDE_DEFAULTS.has(value.name)) return { kind: 'none' };
    const sql = value.args[0];
    if (value.name === 'dbgenerated' && typeof sql === 'string') return { kind: 'expression', sql };
    return { kind: 'unchecked' };
  }
  // Bytes and DateTime constants are rendered by Postgres in forms not worth re-deriving.
  if (field.type === 'Bytes' || field.type === 'DateTime') return { kind: 'expression', sql: String(value) };
  if (field.kind === 'enum') {
    // The database holds the value's @map name, not the Prisma name.
    const mapped = enums.get(field.type)?.values.find((v) => v.name === value);
    return { kind: 'literal', value: mapped?.dbName ?? String(value) };
  }
  return { kind: 'literal', value: String(value) };
}

function toColumn(model: DmmfModel, field: DmmfField, enums: Map<string, DmmfEnum>): ColumnShape {
  return {
    name: columnOf(field),
    type: columnType(field, enums),
    // Prisma renders NOT NULL only for required scalars; list columns are created nullable.
    nullable: !field.isRequired || field.isList,
    default: field.isUpdatedAt ? { kind: 'none' } : expectedDefault(field, enums),
    numeric: NUMERIC_SCALARS.has(field.type),
    source: `${model.name}.${field.name}`,
  };
}

function defaultAction(value: string | undefined, fallback: ReferentialAction): ReferentialAction {
  switch (value) {
    case 'Cascade':
    case 'Restrict':
    case 'NoAction':
    case 'SetNull':
    case 'SetDefault':
      return value;
    default:
      return fallback;
  }
}

function foreignKeys(model: DmmfModel, models: Map<string, DmmfModel>): ForeignKeyShape[] {
  const keys: ForeignKeyShape[] = [];
  for (const field of model.fields) {
    const from = field.relationFromFields ?? [];
    if (field.kind !== 'object' || from.length === 0) continue;
    const target = models.get(field.type);
    if (target === undefined) continue;
    const fromFields = from.map((name) => model.fields.find((f) => f.name === name));
    const toFields = (field.relationToFields ?? []).map((name) => target.fields.find((f) => f.name === name));
    const allRequired = fromFields.every((f) => f?.isRequired === true);
    keys.push({
      name: undefined,
      columns: fromFields.map((f, i) => (f === undefined ? (from[i] ?? '') : columnOf(f))),
      refTable: tableOf(target),
      refColumns: toFields.map((f) => (f === undefined ? '' : columnOf(f))),
      // Prisma's defaults: Restrict for required relations, SetNull for optional; Cascade on update.
      onDelete: defaultAction(field.relationOnDelete, allRequired ? 'Restrict' : 'SetNull'),
      onUpdate: defaultAction(field.relationOnUpdate, 'Cascade'),
    });
  }
  return keys;
}

/** What Prisma would create in Postgres for this schema. */
export function expectedSchema(schema: LoadedSchema): SchemaShape {
  const { datamodel } = schema;
  const enums = new Map(datamodel.enums.map((e) => [e.name, e]));
  const models = new Map(datamodel.models.map((m) => [m.name, m]));

  const tables: TableShape[] = datamodel.models.map((model) => {
    const table = tableOf(model);
    const scalar = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
    const colOf = (fieldName: string): string => {
      const field = model.fields.find((f) => f.name === fieldName);
      return field === undefined ? fieldName : columnOf(field);
    };
    let primaryKey: TableShape['primaryKey'] = null;
    const indexes: IndexShape[] = [];
    for (const index of datamodel.indexes) {
      if (index.model !== model.name || index.type === 'fulltext') continue;
      const columns = index.fields.map((f) => colOf(f.name));
      if (index.type === 'id') {
        primaryKey = { name: index.dbName ?? defaultConstraintName(table, columns, 'pkey'), columns };
        continue;
      }
      const unique = index.type === 'unique';
      indexes.push({
        name: index.dbName ?? defaultConstraintName(table, columns, unique ? 'key' : 'idx'),
        unique,
        columns: index.fields.map((f) => ({ name: colOf(f.name), desc: f.sortOrder === 'desc' })),
        algorithm: (index.algorithm ?? 'BTree').toLowerCase(),
      });
    }
    return {
      name: table,
      source: model.name,
      columns: scalar.map((field) => toColumn(model, field, enums)),
      primaryKey,
      indexes,
      foreignKeys: schema.emulatedRelations ? [] : foreignKeys(model, models),
    };
  });

  tables.push(...implicitManyToManyTables(datamodel.models, enums, schema.emulatedRelations));

  return {
    tables,
    enums: datamodel.enums.map((e) => ({ name: enumNameOf(e), values: e.values.map((v) => v.dbName ?? v.name) })),
  };
}


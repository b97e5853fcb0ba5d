import type { DmmfEnum, DmmfField, DmmfModel } from './dmmf.js';

export const tableOf = (model: DmmfModel): string => model.dbName ?? model.name;
export const columnOf = (field: DmmfField): string => field.dbName ?? field.name;
export const enumNameOf = (enm: DmmfEnum): string => enm.dbName ?? enm.name;

/** Types Prisma gives scalars without a native type attribute (psl postgres connector). */
const DEFAULT_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};


/** A `@db.X(args)` attribute in format_type() spelling. */
function nativeTypeSql(name: string, args: string[]): string {
  const arg = args.length > 0 ? `(${args.join(',')})` : '';
  switch (name) {
    case 'VarChar':
      return `character varying${arg}`;
    case 'Char':
      return `character${arg === '' ? '(1)' : arg}`;
    case 'Bit':
      return `bit${arg === '' ? '(1)' : arg}`;
    case 'VarBit':
      return `bit varying${arg}`;
    case 'Decimal':
      return `numeric${arg}`;
    case 'Timestamp':
      return `timestamp${arg} without time zone`;
    case 'Timestamptz':
      return `timestamp${arg} with time zone`;
    case 'Time':
      return `time${arg} without time zone`;
    case 'Timetz':
      return `time${arg} with time zone`;
    case 'DoublePrecision':
      return 'double precision';
    case 'SmallInt':
      return 'smallint';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    default:
      // Text, Integer, BigInt, Real, Boolean, Uuid, Citext, Xml, Json, Inet, Money, Oid, Date.
      return name.toLowerCase();
  }
}

export function columnType(field: DmmfField, enums: Map<string, DmmfEnum>): string {
  let base: string;
  const enm = enums.get(field.type);
  if (field.kind === 'enum' && enm !== undefined) base = enumNameOf(enm);
  else if (field.nativeType) base = nativeTypeSql(field.nativeType[0], field.nativeType[1]);
  else base = DEFAULT_TYPES[field.type] ?? field.type.toLowerCase();
  return field.isList ? `${base}[]` : base;
}

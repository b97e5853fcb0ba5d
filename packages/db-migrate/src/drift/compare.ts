import type {
  ColumnShape,
  DefaultShape,
  ForeignKeyShape,
  IndexShape,
  ReferentialAction,
  SchemaShape,
  TableShape,
} from './shape.js';

const SCHEMA = 'schema.prisma';
const q = (name: string): string => `"${name}"`;
const list = (names: string[]): string => `(${names.join(', ')})`;
const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

const ACTION_SQL: Record<ReferentialAction, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** Every difference between what schema.prisma implies and what the database has, as sentences. */
export function compareSchemas(expected: SchemaShape, actual: SchemaShape): string[] {
  const out: string[] = [];
  compareEnums(expected, actual, out);
  const actualTables = new Map(actual.tables.map((t) => [t.name, t]));
  for (const table of expected.tables) {
    const live = actualTables.get(table.name);
    if (live === undefined) {
      out.push(`Table ${q(table.name)} (${table.source ?? 'model'}) is missing in the database`);
      continue;
    }
    actualTables.delete(table.name);
    compareTable(table, live, out);
  }
  for (const extra of [...actualTables.keys()].sort()) {
    out.push(`Table ${q(extra)} exists in the database but not in ${SCHEMA}`);
  }
  return out;
}

function compareEnums(expected: SchemaShape, actual: SchemaShape, out: string[]): void {
  const live = new Map(actual.enums.map((e) => [e.name, e.values]));
  for (const enm of expected.enums) {
    const values = live.get(enm.name);
    live.delete(enm.name);
    if (values === undefined) {
      out.push(`Enum ${q(enm.name)} is missing in the database`);
      continue;
    }
    for (const value of enm.values.filter((v) => !values.includes(v))) {
      out.push(`Enum ${q(enm.name)} is missing value ${q(value)} in the database`);
    }
    for (const value of values.filter((v) => !enm.values.includes(v))) {
      out.push(`Enum ${q(enm.name)} has value ${q(value)} in the database that ${SCHEMA} does not declare`);
    }
  }
  for (const extra of [...live.keys()].sort()) out.push(`Enum ${q(extra)} exists in the database but not in ${SCHEMA}`);
}

function compareTable(expected: TableShape, actual: TableShape, out: string[]): void {
  const t = q(expected.name);
  const liveColumns = new Map(actual.columns.map((c) => [c.name, c]));
  for (const column of expected.columns) {
    const live = liveColumns.get(column.name);
    liveColumns.delete(column.name);
    if (live === undefined) out.push(`Column ${t}.${q(column.name)} (${column.source ?? ''}) is missing in the database`);
    else compareColumn(`${t}.${q(column.name)} (${column.source ?? ''})`, column, live, out);
  }
  for (const extra of liveColumns.keys()) out.push(`Column ${t}.${q(extra)} exists in the database but not in ${SCHEMA}`);

  const pk = expected.primaryKey;
  const livePk = actual.primaryKey;
  if (pk !== null && livePk === null) {
    out.push(`Primary key ${q(pk.name)} on ${t} ${list(pk.columns)} is missing in the database`);
  } else if (pk === null && livePk !== null) {
    out.push(`Primary key ${q(livePk.name)} on ${t} ${list(livePk.columns)} exists in the database but not in ${SCHEMA}`);
  } else if (pk !== null && livePk !== null) {
    if (!sameList(pk.columns, livePk.columns)) {
      out.push(`Primary key of ${t} covers ${list(livePk.columns)} in the database, ${SCHEMA} expects ${list(pk.columns)}`);
    }
    if (pk.name !== livePk.name) {
      out.push(`Primary key of ${t} is named ${q(livePk.name)} in the database, ${SCHEMA} expects ${q(pk.name)}`);
    }
  }

  compareIndexes(expected.name, expected.indexes, actual.indexes, out);
  compareForeignKeys(expected.name, expected.foreignKeys, actual.foreignKeys, out);
}

function compareColumn(label: string, expected: ColumnShape, actual: ColumnShape, out: string[]): void {
  if (expected.type !== actual.type) {
    out.push(`Column ${label} has type ${actual.type} in the database, ${SCHEMA} expects ${expected.type}`);
  }
  // Prisma reads any array column as a list whatever its NOT NULL flag, so lists never drift on it.
  if (expected.nullable !== actual.nullable && !expected.type.endsWith('[]')) {
    const state = (nullable: boolean): string => (nullable ? 'nullable' : 'NOT NULL');
    out.push(`Column ${label} is ${state(actual.nullable)} in the database, ${SCHEMA} expects ${state(expected.nullable)}`);
  }
  if (defaultsDiffer(expected.default, actual.default, expected.numeric)) {
    out.push(
      `Column ${label} has ${describeDefault(actual.default)} in the database, ` +
        `${SCHEMA} expects ${describeDefault(expected.default)}`,
    );
  }
}

function defaultsDiffer(expected: DefaultShape, actual: DefaultShape, numeric: boolean): boolean {
  if (expected.kind === 'unchecked') return false;
  if (expected.kind === 'none' || actual.kind === 'none') return expected.kind !== actual.kind;
  // dbgenerated(...), list and binary/date constants: Postgres rewrites them, so presence is enough.
  if (expected.kind === 'expression') return false;
  if (expected.kind !== actual.kind) return true;
  if (expected.kind === 'literal' && actual.kind === 'literal') {
    return numeric ? normalizeNumber(expected.value) !== normalizeNumber(actual.value) : expected.value !== actual.value;
  }
  return false;
}

/** 1.50 and 1.5 are the same default; compare decimal text without float rounding. */
function normalizeNumber(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null) return String(Number(text));
  const int = (match[2] ?? '').replace(/^0+/, '') || '0';
  const frac = (match[3] ?? '').replace(/0+$/, '');
  const sign = match[1] === '-' && (int !== '0' || frac !== '') ? '-' : '';
  return `${sign}${int}${frac === '' ? '' : `.${frac}`}`;
}

function describeDefault(value: DefaultShape): string {
  switch (value.kind) {
    case 'none':
      return 'no default';
    case 'sequence':
      return 'default autoincrement()';
    case 'now':
      return 'default now()';
    case 'literal':
      return `default '${value.value}'`;
    case 'expression':
      return `default ${value.sql}`;
    case 'unchecked':
      return 'default dbgenerated()';
  }
}

function describeIndex(table: string, index: IndexShape): string {
  const columns = index.columns.map((c) => (c.desc ? `${c.name} DESC` : c.name));
  const using = index.algorithm === 'btree' ? '' : ` USING ${index.algorithm}`;
  const where = index.partial === true ? ' WHERE ...' : '';
  return `${index.unique ? 'unique index' : 'index'} ${q(index.name)} on ${q(table)} ${list(columns)}${using}${where}`;
}

/** Everything about an index except its name. */
const indexStructure = (index: IndexShape): string =>
  JSON.stringify([index.unique, index.algorithm, index.partial === true, index.columns]);

function compareIndexes(table: string, expected: IndexShape[], actual: IndexShape[], out: string[]): void {
  const liveByName = new Map(actual.map((i) => [i.name, i]));
  const unmatched: IndexShape[] = [];
  for (const index of expected) {
    const live = liveByName.get(index.name);
    if (live === undefined) {
      unmatched.push(index);
      continue;
    }
    liveByName.delete(index.name);
    if (indexStructure(index) !== indexStructure(live)) {
      out.push(`Index ${q(index.name)} differs: the database has ${describeIndex(table, live)}, ${SCHEMA} expects ${describeIndex(table, index)}`);
    }
  }
  for (const index of unmatched) {
    // Same structure under another name: a rename, reported as one difference rather than two.
    const renamed = [...liveByName.values()].find((live) => indexStructure(live) === indexStructure(index));
    if (renamed !== undefined) {
      liveByName.delete(renamed.name);
      out.push(`Index on ${q(table)} ${list(index.columns.map((c) => c.name))} is named ${q(renamed.name)} in the database, ${SCHEMA} expects ${q(index.name)}`);
    } else {
      const text = describeIndex(table, index);
      out.push(`${text.charAt(0).toUpperCase()}${text.slice(1)} is missing in the database`);
    }
  }
  for (const extra of liveByName.values()) {
    const text = describeIndex(table, extra);
    out.push(`${text.charAt(0).toUpperCase()}${text.slice(1)} exists in the database but not in ${SCHEMA}`);
  }
}

function describeForeignKey(table: string, fk: ForeignKeyShape): string {
  const name = fk.name === undefined ? '' : ` ${q(fk.name)}`;
  return `Foreign key${name} on ${q(table)} ${list(fk.columns)} -> ${q(fk.refTable)} ${list(fk.refColumns)}`;
}

function compareForeignKeys(table: string, expected: ForeignKeyShape[], actual: ForeignKeyShape[], out: string[]): void {
  const remaining = [...actual];
  for (const fk of expected) {
    const index = remaining.findIndex((live) => sameList(live.columns, fk.columns));
    const live = remaining[index];
    if (live === undefined) {
      out.push(`${describeForeignKey(table, fk)} is missing in the database`);
      continue;
    }
    remaining.splice(index, 1);
    const label = describeForeignKey(table, live);
    if (live.refTable !== fk.refTable || !sameList(live.refColumns, fk.refColumns)) {
      out.push(`${label} in the database, ${SCHEMA} expects it to reference ${q(fk.refTable)} ${list(fk.refColumns)}`);
    }
    if (live.onDelete !== fk.onDelete) {
      out.push(`${label} has ON DELETE ${ACTION_SQL[live.onDelete]} in the database, ${SCHEMA} expects ${ACTION_SQL[fk.onDelete]}`);
    }
    if (live.onUpdate !== fk.onUpdate) {
      out.push(`${label} has ON UPDATE ${ACTION_SQL[live.onUpdate]} in the database, ${SCHEMA} expects ${ACTION_SQL[fk.onUpdate]}`);
    }
    if (fk.name !== undefined && live.name !== fk.name) {
      out.push(`${label} is named ${q(live.name ?? '')} in the database, ${SCHEMA} expects ${q(fk.name)}`);
    }
  }
  for (const extra of remaining) out.push(`${describeForeignKey(table, extra)} exists in the database but not in ${SCHEMA}`);
}

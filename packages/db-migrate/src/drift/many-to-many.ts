import type { DmmfEnum, DmmfField, DmmfModel } from './dmmf.js';
import { columnOf, columnType, tableOf } from './prisma-types.js';
import type { TableShape } from './shape.js';

interface Side {
  model: DmmfModel;
  field: DmmfField;
}

/**
 * Join tables Prisma creates for implicit many-to-many relations (list relation fields on both
 * sides, no `fields:`): `_<RelationName>` with columns A and B pointing at the two models' ids,
 * A being the model whose name sorts first, a composite primary key and an index on B. Without
 * these the drift check would report every such table as extra.
 */
export function implicitManyToManyTables(
  models: DmmfModel[],
  enums: Map<string, DmmfEnum>,
  emulatedRelations: boolean,
): TableShape[] {
  const byRelation = new Map<string, Side[]>();
  for (const model of models) {
    for (const field of model.fields) {
      const isImplicitList =
        field.kind === 'object' && field.isList && (field.relationFromFields ?? []).length === 0;
      if (!isImplicitList || field.relationName === undefined) continue;
      const sides = byRelation.get(field.relationName) ?? [];
      sides.push({ model, field });
      byRelation.set(field.relationName, sides);
    }
  }

  const tables: TableShape[] = [];
  for (const [relation, sides] of byRelation) {
    // One list side and a scalar back-relation is one-to-many, not an implicit join table.
    if (sides.length !== 2) continue;
    const [first, second] = sides;
    if (first === undefined || second === undefined) continue;
    const [a, b] = first.model.name <= second.model.name ? [first.model, second.model] : [second.model, first.model];
    const idA = a.fields.find((f) => f.isId);
    const idB = b.fields.find((f) => f.isId);
    if (idA === undefined || idB === undefined) continue;
    const table = `_${relation}`;
    const column = (name: 'A' | 'B', id: DmmfField) => ({
      name,
      // The join column mirrors the id's type, minus any default or list-ness.
      type: columnType({ ...id, isList: false }, enums),
      nullable: false,
      default: { kind: 'none' } as const,
      numeric: false,
      source: `implicit many-to-many ${relation}`,
    });
    const foreignKey = (name: 'A' | 'B', target: DmmfModel, id: DmmfField) => ({
      name: `${table}_${name}_fkey`,
      columns: [name],
      refTable: tableOf(target),
      refColumns: [columnOf(id)],
      onDelete: 'Cascade' as const,
      onUpdate: 'Cascade' as const,
    });
    tables.push({
      name: table,
      source: `implicit many-to-many relation ${relation}`,
      columns: [column('A', idA), column('B', idB)],
      primaryKey: { name: `${table}_AB_pkey`, columns: ['A', 'B'] },
      indexes: [{ name: `${table}_B_index`, unique: false, columns: [{ name: 'B', desc: false }], algorithm: 'btree' }],
      foreignKeys: emulatedRelations ? [] : [foreignKey('A', a, idA), foreignKey('B', b, idB)],
    });
  }
  return tables;
}

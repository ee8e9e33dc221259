/**
 * ERD data of a report: every table, view and partition of both sides as a node with its columns, every foreign key
 * as an edge, each with its drift status, so the Grafana panel can draw missing objects ghosted where they should
 * be and extra ones where they are.
 *
 * Pure and linear: every lookup goes through a Map keyed by id, so 10,000 tables cost one pass over each side and
 * one over the changes, plus the final sorts.
 */
import type { AttributeChange, Change, ChangeAction, ForeignKeyChange } from '../model/change.ts';
import type { ErdColumn, ErdRelation, ErdStatus, ErdTable } from '../model/report.ts';
import { qualifiedKey, type ForeignKey, type SchemaSnapshot, type Table, type View } from '../model/schema.ts';
import { compareText } from '../diff/compare.ts';

/** The `erd` section of a report. */
export interface Erd {
  readonly tables: ErdTable[];
  readonly relations: ErdRelation[];
}

/** One side's view of a node: enough to list its columns and flag keys. */
interface NodeSide {
  readonly kind: string;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
  readonly primaryKey: ReadonlySet<string>;
  readonly foreignKey: ReadonlySet<string>;
}

interface NodeEntry {
  readonly id: string;
  readonly schema: string;
  readonly name: string;
  desired?: NodeSide;
  current?: NodeSide;
}

interface RelationSide {
  readonly schema: string;
  readonly table: string;
  readonly fk: ForeignKey;
}

interface RelationEntry {
  readonly id: string;
  desired?: RelationSide;
  current?: RelationSide;
}

/** Where the changes land: per node, per column and per relation. */
interface ChangeIndex {
  readonly byNode: Map<string, number[]>;
  readonly byColumn: Map<string, number>;
  /** Output columns of a changed view whose type differs (views have no column changes of their own). */
  readonly viewColumns: Map<string, AttributeChange[]>;
  readonly byRelation: Map<string, number>;
  /** Current-side relation id → desired-side id, for foreign keys renamed by hand (one `changed` change). */
  readonly renamedRelations: Map<string, string>;
}

/** `schema.table.name` of a foreign key (names holding a dot are quoted, as {@link qualifiedKey} does). */
export function relationId(schema: string, table: string, name: string): string {
  return `${qualifiedKey(schema, table)}.${name.includes('.') ? JSON.stringify(name) : name}`;
}

// NUL cannot occur in PostgreSQL or MySQL identifiers, so it separates node id and column name unambiguously.
function columnKey(nodeId: string, column: string): string {
  return `${nodeId}\u0000${column}`;
}

function tableSide(table: Table): NodeSide {
  const primaryKey = new Set<string>();
  for (const constraint of table.constraints) {
    if (constraint.kind === 'primary_key') for (const column of constraint.columns) primaryKey.add(column);
  }
  const foreignKey = new Set<string>();
  for (const fk of table.foreignKeys) for (const column of fk.columns) foreignKey.add(column);
  const columns = [...table.columns]
    .sort((a, b) => a.position - b.position || compareText(a.name, b.name))
    .map((c) => ({ name: c.name, type: c.type.raw, nullable: c.nullable }));
  const kind = typeof table.attrs['partitionOf'] === 'string' ? 'partition' : 'table';
  return { kind, columns, primaryKey, foreignKey };
}

// A view's output columns carry no nullability: reported nullable, the safe reading.
function viewSide(view: View): NodeSide {
  const columns = view.columns.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  return { kind: view.materialized ? 'materialized_view' : 'view', columns, primaryKey: new Set(), foreignKey: new Set() };
}

function collectNodes(desired: SchemaSnapshot, current: SchemaSnapshot): Map<string, NodeEntry> {
  const nodes = new Map<string, NodeEntry>();
  const add = (side: 'desired' | 'current', schema: string, name: string, value: NodeSide) => {
    const id = qualifiedKey(schema, name);
    let entry = nodes.get(id);
    if (!entry) {
      entry = { id, schema, name };
      nodes.set(id, entry);
    }
    // A table and a view of one name on the same side cannot exist in one database: first one wins.
    entry[side] ??= value;
  };
  for (const [side, snapshot] of [['desired', desired], ['current', current]] as const) {
    for (const schema of snapshot.schemas) {
      for (const table of schema.tables) add(side, table.schema, table.name, tableSide(table));
      for (const view of schema.views) add(side, view.schema, view.name, viewSide(view));
    }
  }
  return nodes;
}

function collectRelations(desired: SchemaSnapshot, current: SchemaSnapshot, renamed: Map<string, string>) {
  const relations = new Map<string, RelationEntry>();
  for (const [side, snapshot] of [['desired', desired], ['current', current]] as const) {
    for (const schema of snapshot.schemas) {
      for (const table of schema.tables) {
        for (const fk of table.foreignKeys) {
          let id = relationId(table.schema, table.name, fk.name);
          if (side === 'current') id = renamed.get(id) ?? id;
          let entry = relations.get(id);
          if (!entry) {
            entry = { id };
            relations.set(id, entry);
          }
          entry[side] ??= { schema: table.schema, table: table.name, fk };
        }
      }
    }
  }
  return relations;
}

/**
 * The ERD node id (`schema.name`) a change concerns: the table or view itself, or the owner of a part (column, index,
 * constraint, foreign key, trigger, policy). Other kinds (sequences, types, routines, ...) concern no node: null.
 */
export function changeTableId(change: Change): string | null {
  if ('table' in change) return qualifiedKey(change.schema, change.table);
  if (change.type === 'table' || change.type === 'view') return qualifiedKey(change.schema, change.name);
  return null;
}

function indexChanges(changes: readonly Change[]): ChangeIndex {
  const index: ChangeIndex = { byNode: new Map(), byColumn: new Map(), viewColumns: new Map(), byRelation: new Map(), renamedRelations: new Map() };
  changes.forEach((change, i) => {
    const node = changeTableId(change);
    if (node === null) return;
    const list = index.byNode.get(node);
    if (list) list.push(i);
    else index.byNode.set(node, [i]);
    if (change.type === 'column') index.byColumn.set(columnKey(node, change.name), i);
    if (change.type === 'foreign_key') indexRelationChange(index, change, i);
    if (change.type === 'view') indexViewColumns(index, node, change.attributes);
  });
  return index;
}

function indexRelationChange(index: ChangeIndex, change: ForeignKeyChange, i: number): void {
  const id = relationId(change.schema, change.table, change.name);
  index.byRelation.set(id, i);
  const currentName = change.current?.name;
  if (currentName !== undefined && currentName !== change.name) {
    index.renamedRelations.set(relationId(change.schema, change.table, currentName), id);
  }
}

type ViewColumns = readonly { readonly name: string; readonly type: string }[];

/** A changed view lists its output columns on both sides: the ones of one name and different types are `changed`. */
function indexViewColumns(index: ChangeIndex, node: string, attributes: readonly AttributeChange[]): void {
  const columns = attributes.find((a) => a.name === 'columns');
  if (!columns || !Array.isArray(columns.expected) || !Array.isArray(columns.actual)) return;
  const actual = new Map((columns.actual as ViewColumns).map((c) => [c.name, c.type] as const));
  for (const expected of columns.expected as ViewColumns) {
    const type = actual.get(expected.name);
    if (type !== undefined && type !== expected.type) {
      index.viewColumns.set(columnKey(node, expected.name), [{ name: 'type', expected: expected.type, actual: type }]);
    }
  }
}

/** Status of an object from which sides hold it, when no change names it. */
function presence(inDesired: boolean, inCurrent: boolean): ErdStatus {
  if (!inDesired) return 'extra';
  if (!inCurrent) return 'missing';
  return 'ok';
}

function buildColumns(entry: NodeEntry, changes: readonly Change[], index: ChangeIndex): ErdColumn[] {
  const currentByName = new Map((entry.current?.columns ?? []).map((c) => [c.name, c] as const));
  const desiredNames = new Set((entry.desired?.columns ?? []).map((c) => c.name));
  const out: ErdColumn[] = [];
  const push = (column: NodeSide['columns'][number], side: NodeSide, inDesired: boolean, inCurrent: boolean) => {
    const i = index.byColumn.get(columnKey(entry.id, column.name));
    const change = i === undefined ? undefined : changes[i];
    const viewAttributes = index.viewColumns.get(columnKey(entry.id, column.name));
    let status: ErdStatus = change ? change.action : presence(inDesired, inCurrent);
    let attributes = change?.action === 'changed' ? change.attributes : undefined;
    if (!change && viewAttributes) {
      status = 'changed';
      attributes = viewAttributes;
    }
    out.push({
      name: column.name,
      type: column.type,
      nullable: column.nullable,
      primaryKey: side.primaryKey.has(column.name),
      foreignKey: side.foreignKey.has(column.name),
      status,
      ...(attributes ? { attributes: attributes.map((a) => ({ ...a })) } : {}),
    });
  };
  // Desired columns first, in their order; the database's extra columns after them, in theirs.
  if (entry.desired) for (const c of entry.desired.columns) push(c, entry.desired, true, currentByName.has(c.name));
  if (entry.current) for (const c of entry.current.columns) if (!desiredNames.has(c.name)) push(c, entry.current, false, true);
  return out;
}

function buildTable(entry: NodeEntry, changes: readonly Change[], index: ChangeIndex): ErdTable {
  const related = index.byNode.get(entry.id) ?? [];
  let status = presence(entry.desired !== undefined, entry.current !== undefined);
  if (status === 'ok' && related.length > 0) status = 'changed';
  return {
    id: entry.id,
    schema: entry.schema,
    name: entry.name,
    kind: (entry.desired ?? entry.current)?.kind ?? 'table',
    status,
    columns: buildColumns(entry, changes, index),
    changes: [...related],
  };
}

function buildRelation(
  entry: RelationEntry,
  changes: readonly Change[],
  index: ChangeIndex,
  tables: Map<string, ErdStatus>,
): ErdRelation {
  const side = (entry.desired ?? entry.current) as RelationSide;
  const source = qualifiedKey(side.schema, side.table);
  const i = index.byRelation.get(entry.id);
  const action: ChangeAction | undefined = i === undefined ? undefined : changes[i]?.action;
  const owner = tables.get(source);
  // A missing or extra table carries its foreign keys implied (no change of their own): they share its status.
  const implied = owner === 'missing' || owner === 'extra' ? owner : undefined;
  const status = action ?? implied ?? presence(entry.desired !== undefined, entry.current !== undefined);
  return {
    id: entry.id,
    name: side.fk.name,
    source,
    target: qualifiedKey(side.fk.refSchema, side.fk.refTable),
    sourceColumns: [...side.fk.columns],
    targetColumns: [...side.fk.refColumns],
    status,
  };
}

/**
 * Builds the ERD of a report. `desired` and `current` must be the snapshots the differ compared (after filtering),
 * and `changes` its output, so that change indices and statuses line up.
 *
 * - Nodes: the union of both sides' tables, views and materialized views by `schema.name`; partitions are tables of
 *   kind `partition`. Status `missing` (desired only), `extra` (database only), `changed` (a change names the node
 *   or one of its parts), else `ok`.
 * - Columns: the desired columns in position order, then the database's extra columns; a missing table lists all its
 *   desired columns as `missing`. Key flags come from the side the column is listed from (desired when present).
 * - Relations: foreign keys of both sides by `schema.table.name` (a renamed one is one relation, under its desired
 *   name); the target may be a table outside the inspected schemas and so not among the nodes.
 *
 * Order is deterministic: nodes and relations by id in code-unit order.
 */
export function buildErd(desired: SchemaSnapshot, current: SchemaSnapshot, changes: readonly Change[]): Erd {
  const index = indexChanges(changes);
  const tables = [...collectNodes(desired, current).values()]
    .sort((a, b) => compareText(a.id, b.id))
    .map((entry) => buildTable(entry, changes, index));
  const statusById = new Map(tables.map((t) => [t.id, t.status] as const));
  const relations = [...collectRelations(desired, current, index.renamedRelations).values()]
    .sort((a, b) => compareText(a.id, b.id))
    .map((entry) => buildRelation(entry, changes, index, statusById));
  return { tables, relations };
}

/**
 * Planning of whole tables: create a missing table with everything it carries, drop an extra one, alter table-level
 * attributes (logging, row security, partition bounds, storage options, comment).
 */
import type { TableChange } from '../../core/model/change.ts';
import type { Table } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import {
  parseQualifiedKey,
  partitionParent,
  qualifiedFromKey,
  renderComment,
  renderCreateTable,
  renderDropConstraint,
  tableName,
} from './ddl-table.ts';
import { quoteIdent } from './quote.ts';
import { planCreateTableParts, planRowSecurity, isInheritedPart } from './plan-parts.ts';
import { columnAclOf, columnTarget, planAclChange, planCreatedAcl, relationTarget } from './plan-privileges.ts';

/** Depth of a table in its partition tree (0 for a plain or root table), so parents are created first. */
export function partitionDepth(ctx: PostgresPlanContext, table: Table): number {
  let depth = 0;
  const firstParent = (attrs: Table['attrs']): string | null =>
    partitionParent(attrs) ?? (Array.isArray(attrs.inherits) && typeof attrs.inherits[0] === 'string' ? attrs.inherits[0] : null);
  let parent = firstParent(table.attrs);
  const seen = new Set<string>();
  while (parent && !seen.has(parent) && depth < 32) {
    seen.add(parent);
    depth += 1;
    const next = ctx.findTable(...parseQualifiedKey(parent));
    parent = next ? firstParent(next.attrs) : null;
  }
  return depth;
}

/** Plans a table change; a change of partitioning is refused on its own (see {@link partitioningRefusal}). */
export function planTable(ctx: PostgresPlanContext, change: TableChange, index: number): void {
  const refusal = partitioningRefusal(ctx, change);
  if (refusal) return ctx.refuse(index, refusal);
  if (change.action === 'missing') return createTable(ctx, required(ctx, change.desired, index), index);
  if (change.action === 'extra') return dropTable(ctx, required(ctx, change.current, index), index);
  alterTable(ctx, change, index);
}

/**
 * Why a table change cannot be planned because of partitioning, or null. PostgreSQL cannot turn a plain table into a
 * partitioned one, a partitioned one into a plain one, or change a partition key in place: the rows have to move to a
 * new table, which is a data migration, not a schema change. Such a table is refused alone, and so are the partitions
 * that come or go with it (creating them needs the new parent; dropping them would drop its rows), so the rest of the
 * plan still comes out.
 */
function partitioningRefusal(ctx: PostgresPlanContext, change: TableChange): string | null {
  if (change.action === 'changed' && change.attributes.some((a) => a.name === 'attrs.partitionBy')) {
    const before = change.current?.attrs.partitionBy;
    const after = change.desired?.attrs.partitionBy;
    const how = before === undefined
      ? `turning a plain table into a partitioned one (PARTITION BY ${String(after)})`
      : after === undefined
        ? 'turning a partitioned table into a plain one'
        : `changing its partition key from ${String(before)} to ${String(after)}`;
    return `${how} cannot be done in place; create the new table, move the rows and swap the names by hand`;
  }
  const parents = [change.current, change.desired].flatMap((t) => {
    const parent = t ? partitionParent(t.attrs) : null;
    return parent ? [parent] : [];
  });
  const refused = parents.find((parent) => repartitionedTables(ctx).has(parent));
  return refused ? `its partitioned table ${refused} changes partitioning, which is refused` : null;
}

const repartitioned = new WeakMap<PostgresPlanContext, ReadonlySet<string>>();

/** Keys of the tables whose partitioning changes (plain ↔ partitioned, or another partition key); once per plan. */
function repartitionedTables(ctx: PostgresPlanContext): ReadonlySet<string> {
  let keys = repartitioned.get(ctx);
  if (!keys) {
    keys = new Set(
      ctx.changes.flatMap((c) =>
        c.type === 'table' && c.action === 'changed' && c.attributes.some((a) => a.name === 'attrs.partitionBy') ? [qualifiedKey(c.schema, c.name)] : [],
      ),
    );
    repartitioned.set(ctx, keys);
  }
  return keys;
}

function required<T>(ctx: PostgresPlanContext, value: T | undefined, index: number): T {
  if (value === undefined) throw ctx.error(index, 'the change carries no object');
  return value;
}

/** Creates a table and all it carries (columns in the statement; the rest in later phases). */
export function createTable(ctx: PostgresPlanContext, table: Table, index: number): void {
  ctx.add(index, {
    slot: SLOT.createTable,
    sub: partitionDepth(ctx, table),
    sql: renderCreateTable(table),
    comment: `create table ${table.schema}.${table.name}`,
  });
  planCreateTableParts(ctx, table, index, { newTable: true });
  if (table.comment !== null) {
    ctx.add(index, { slot: SLOT.comment, sql: renderComment(`TABLE ${tableName(table)}`, table.comment), comment: `comment on table ${table.name}` });
  }
  for (const column of table.columns) {
    if (column.comment === null || isInheritedPart(column.attrs)) continue;
    ctx.add(index, {
      slot: SLOT.comment,
      sql: renderComment(`COLUMN ${tableName(table)}.${quoteIdent(column.name)}`, column.comment),
      comment: `comment on column ${table.name}.${column.name}`,
    });
  }
  planCreatedAcl(ctx, relationTarget(table), table, index);
  for (const column of table.columns) {
    const acl = columnAclOf(column);
    if (acl) planCreatedAcl(ctx, columnTarget(table, column.name), { acl, owner: table.owner }, index);
  }
}

function isDropped(ctx: PostgresPlanContext, schema: string, name: string): boolean {
  return ctx.changesOf(schema, name).some((c) => c.type === 'table' && c.action === 'extra');
}

/**
 * Drops a table. Its own foreign keys go with it, but a foreign key of another dropped table that points at it would
 * block the drop, so foreign keys between dropped tables are removed first. Partitions are dropped before parents.
 */
function dropTable(ctx: PostgresPlanContext, table: Table, index: number): void {
  ctx.droppedTables.set(qualifiedKey(table.schema, table.name), index);
  for (const fk of table.foreignKeys) {
    const self = fk.refSchema === table.schema && fk.refTable === table.name;
    if (self || !isDropped(ctx, fk.refSchema, fk.refTable) || isInheritedPart(fk.attrs)) continue;
    ctx.add(index, {
      slot: SLOT.dropForeignKey,
      sql: renderDropConstraint(table, fk.name),
      comment: `drop foreign key ${fk.name} between dropped tables`,
    });
  }
  ctx.add(index, {
    slot: SLOT.dropTable,
    sub: -partitionDepth(ctx, table),
    sql: `DROP TABLE ${tableName(table)};`,
    comment: `drop table ${table.schema}.${table.name}`,
    hazards: ['data_loss'],
  });
}

const TABLE_ATTRIBUTES = new Set([
  'comment',
  'attrs.unlogged',
  'attrs.rowSecurity',
  'attrs.forceRowSecurity',
  'attrs.partitionOf',
  'attrs.partitionBound',
  'attrs.options',
  'attrs.accessMethod',
  'attrs.inherits',
  'acl',
]);

function alterTable(ctx: PostgresPlanContext, change: TableChange, index: number): void {
  const desired = required(ctx, change.desired, index);
  const current = required(ctx, change.current, index);
  const names = new Set(change.attributes.map((a) => a.name.split(/[[]/)[0] ?? a.name));
  for (const name of names) {
    if (!TABLE_ATTRIBUTES.has(name)) throw ctx.error(index, `the table attribute "${name}" cannot be altered`);
  }
  const t = tableName(desired);
  if (names.has('attrs.unlogged')) {
    const logged = desired.attrs.unlogged !== true;
    ctx.add(index, {
      slot: SLOT.alterTable,
      sql: `ALTER TABLE ${t} SET ${logged ? 'LOGGED' : 'UNLOGGED'};`,
      comment: `make ${desired.name} ${logged ? 'logged' : 'unlogged'}`,
      hazards: ['table_rewrite', 'heavy_lock'],
    });
  }
  if (names.has('attrs.partitionOf') || names.has('attrs.partitionBound')) repartition(ctx, current, desired, index);
  if (names.has('attrs.options')) alterStorageOptions(ctx, current, desired, index);
  if (names.has('attrs.accessMethod')) {
    const method = typeof desired.attrs.accessMethod === 'string' ? desired.attrs.accessMethod : 'heap';
    ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${t} SET ACCESS METHOD ${quoteIdent(method)};`, comment: `set access method of ${desired.name}`, hazards: ['table_rewrite', 'heavy_lock'] });
  }
  if (names.has('attrs.inherits')) {
    const before = stringList(current.attrs.inherits);
    const after = stringList(desired.attrs.inherits);
    for (const p of before.filter((x) => !after.includes(x))) ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${t} NO INHERIT ${qualifiedFromKey(p)};`, comment: `stop inheriting from ${p}` });
    for (const p of after.filter((x) => !before.includes(x))) ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${t} INHERIT ${qualifiedFromKey(p)};`, comment: `inherit from ${p}`, hazards: ['may_fail'] });
  }
  if (names.has('attrs.rowSecurity') || names.has('attrs.forceRowSecurity')) planRowSecurity(ctx, desired, index, current);
  if (names.has('comment')) {
    ctx.add(index, { slot: SLOT.comment, sql: renderComment(`TABLE ${t}`, desired.comment), comment: `comment on table ${desired.name}` });
  }
  if (names.has('acl')) planAclChange(ctx, relationTarget(desired), current, desired, index);
}


/** A partition bound cannot be altered: detach from the old parent and attach with the new bound. */
function repartition(ctx: PostgresPlanContext, current: Table, desired: Table, index: number): void {
  const oldParent = partitionParent(current.attrs);
  const newParent = partitionParent(desired.attrs);
  if (oldParent) {
    ctx.add(index, {
      slot: SLOT.alterTable,
      sql: `ALTER TABLE ${qualifiedFromKey(oldParent)} DETACH PARTITION ${tableName(current)};`,
      comment: `detach partition ${current.name}`,
      hazards: ['heavy_lock'],
    });
  }
  if (newParent) {
    const bound = typeof desired.attrs.partitionBound === 'string' ? desired.attrs.partitionBound : 'DEFAULT';
    ctx.add(index, {
      slot: SLOT.alterTable,
      sql: `ALTER TABLE ${qualifiedFromKey(newParent)} ATTACH PARTITION ${tableName(desired)} ${bound};`,
      comment: `attach partition ${desired.name}`,
      hazards: ['heavy_lock', 'may_fail'],
    });
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function optionMap(value: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(value)) return map;
  for (const item of value) {
    if (typeof item !== 'string') continue;
    const eq = item.indexOf('=');
    map.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return map;
}

function alterStorageOptions(ctx: PostgresPlanContext, current: Table, desired: Table, index: number): void {
  const before = optionMap(current.attrs.options);
  const after = optionMap(desired.attrs.options);
  const reset = [...before.keys()].filter((k) => !after.has(k)).sort();
  const set = [...after.entries()].filter(([k, v]) => before.get(k) !== v).sort(([a], [b]) => a.localeCompare(b));
  const t = tableName(desired);
  if (reset.length) ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${t} RESET (${reset.join(', ')});`, comment: `reset storage options of ${desired.name}` });
  if (set.length) ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${t} SET (${set.map(([k, v]) => `${k}=${v}`).join(', ')});`, comment: `set storage options of ${desired.name}` });
}

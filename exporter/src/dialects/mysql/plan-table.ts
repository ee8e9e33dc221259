/**
 * Planning of whole tables: create a missing table with everything it carries (foreign keys and triggers in later
 * phases), drop an extra one, and alter table options (engine, charset, collation, row format, storage options,
 * comment) in the table's combined ALTER, partitioning and system versioning in statements of their own.
 */
import type { TableChange } from '../../core/model/change.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { Attrs, Column, JsonValue, Table } from '../../core/model/schema.ts';
import { typeClass } from './hooks-types.ts';
import { modifyColumnClause } from './plan-columns.ts';
import { partitionClause, renderCreateTable, storageOptions, tableName } from './ddl-table.ts';
import { CLAUSE, SLOT, type MysqlPlanContext } from './plan-context.ts';
import { addForeignKey, createTrigger, dropForeignKey } from './plan-parts.ts';
import { quoteLiteral } from './quote.ts';

/** Creates a table; its foreign keys are added once every table exists, its triggers last. */
export function createTable(ctx: MysqlPlanContext, table: Table, index: number): void {
  ctx.add(index, { slot: SLOT.createTable, sql: renderCreateTable(table), comment: `create table ${table.name}` });
  for (const fk of table.foreignKeys) addForeignKey(ctx, table, fk, index, true);
  const names = new Set(table.triggers.map((t) => t.name));
  for (const trigger of table.triggers) createTrigger(ctx, table, trigger, index, names);
}

/**
 * Drops a table. Its foreign keys go first, before any table's ALTER, when they reference a table the same plan
 * drops (so the order does not matter) or alters (a parent column or key the plan drops is still referenced until
 * the table is gone: MariaDB's error 1553 or 1829).
 */
function dropTable(ctx: MysqlPlanContext, table: Table, index: number): void {
  const dropped = new Set(ctx.changes.filter((c) => c.type === 'table' && c.action === 'extra').map((c) => c.name));
  const altered = new Set(ctx.changes.filter((c) => c.type === 'column' || c.type === 'index' || c.type === 'constraint').map((c) => (c as { table: string }).table));
  for (const fk of table.foreignKeys) {
    if (fk.refTable === table.name || fk.refSchema !== table.schema) continue;
    if (dropped.has(fk.refTable)) dropForeignKey(ctx, table, fk, index, ' between dropped tables');
    else if (altered.has(fk.refTable)) dropForeignKey(ctx, table, fk, index, ` before ${fk.refTable} changes`);
  }
  ctx.add(index, { slot: SLOT.dropTable, sql: `DROP TABLE ${tableName(table)};`, comment: `drop table ${table.name}`, hazards: ['data_loss'] });
}

const TABLE_ATTRIBUTES = new Set([
  'comment', 'attrs.engine', 'attrs.charset', 'attrs.collation', 'attrs.rowFormat', 'attrs.options',
  'attrs.partitioning', 'attrs.systemVersioned',
]);

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Storage options the desired table no longer sets go back to their default. */
function resetOptions(current: Attrs, desired: Attrs): string[] {
  const keys = (a: Attrs) => (a.options && typeof a.options === 'object' && !Array.isArray(a.options) ? Object.keys(a.options) : []);
  const wanted = new Set(keys(desired));
  return keys(current)
    .filter((k) => !wanted.has(k))
    .sort()
    .map((k) => (k === 'key_block_size' ? 'KEY_BLOCK_SIZE=0' : `${/^[a-z_]+$/.test(k) && k.startsWith('stats_') ? k.toUpperCase() : `\`${k}\``}=DEFAULT`));
}

/**
 * A new table default charset or collation does not convert existing columns: text columns that inherit it in the
 * desired table are modified to it explicitly (the differ reports no change for them: both sides inherit).
 */
function convertInheritingColumns(ctx: MysqlPlanContext, current: Table, desired: Table, index: number): void {
  for (const column of desired.columns) {
    const before = current.columns.find((c) => c.name === column.name);
    if (!before || column.collation !== null || before.collation !== null || !isText(column)) continue;
    modifyColumnClause(ctx, index, desired.name, column, { comment: `convert column ${column.name} to the new default collation`, hazards: ['table_rewrite', 'heavy_lock', 'may_fail'] });
  }
}

function isText(column: Column): boolean {
  return ['string'].includes(typeClass(column.type.raw)) && !/binary|blob/i.test(column.type.raw) && column.type.raw.toLowerCase() !== 'json';
}

function alterOptions(ctx: MysqlPlanContext, current: Table, desired: Table, changed: Set<string>, index: number): void {
  const clause = (sql: string, comment: string, hazards: Hazard[] = []) => ctx.alter(index, desired.name, { order: CLAUSE.options, sql, comment, hazards });
  const a = desired.attrs;
  if (changed.has('attrs.engine')) clause(`ENGINE=${text(a.engine) ?? 'InnoDB'}`, 'change engine', ['table_rewrite', 'heavy_lock']);
  if (changed.has('attrs.charset') && text(a.charset)) clause(`DEFAULT CHARSET=${text(a.charset)}`, 'change default charset');
  if ((changed.has('attrs.collation') || changed.has('attrs.charset')) && text(a.collation)) clause(`COLLATE=${text(a.collation)}`, 'change default collation');
  if (changed.has('attrs.charset') || changed.has('attrs.collation')) convertInheritingColumns(ctx, current, desired, index);
  if (changed.has('attrs.rowFormat')) clause(`ROW_FORMAT=${text(a.rowFormat) ?? 'DEFAULT'}`, 'change row format', ['table_rewrite', 'heavy_lock']);
  if (changed.has('attrs.options')) {
    for (const sql of [...resetOptions(current.attrs, a), ...storageOptions(a)]) clause(sql, 'change storage options', /KEY_BLOCK_SIZE|compress/i.test(sql) ? ['table_rewrite'] : []);
  }
  if (changed.has('comment')) clause(`COMMENT=${quoteLiteral(desired.comment ?? '')}`, 'change comment');
}

function alterTable(ctx: MysqlPlanContext, change: TableChange, index: number): void {
  const { desired, current } = change;
  if (!desired || !current) throw ctx.error(index, 'the change carries no table');
  const changed = new Set(change.attributes.map((a) => a.name));
  for (const name of changed) if (!TABLE_ATTRIBUTES.has(name)) throw ctx.error(index, `the table attribute "${name}" cannot be altered`);
  alterOptions(ctx, current, desired, changed, index);
  if (changed.has('attrs.systemVersioned')) {
    const on = desired.attrs.systemVersioned === true;
    ctx.add(index, {
      slot: SLOT.partitioning,
      sql: `ALTER TABLE ${tableName(desired)} ${on ? 'ADD' : 'DROP'} SYSTEM VERSIONING;`,
      comment: `${on ? 'add' : 'drop'} system versioning on ${desired.name}`,
      hazards: on ? ['table_rewrite', 'heavy_lock'] : ['table_rewrite', 'heavy_lock', 'data_loss'],
    });
  }
  if (changed.has('attrs.partitioning')) repartition(ctx, current, desired, index);
}

/** True when the plan changes a unique key of the table (every unique key must hold the partitioning columns). */
function changesKeys(ctx: MysqlPlanContext, table: string): boolean {
  return ctx.changes.some((c) => {
    if (c.type === 'constraint' && c.table === table) return (c.desired ?? c.current)?.kind !== 'check';
    return c.type === 'index' && c.table === table && (c.desired ?? c.current)?.unique === true;
  });
}

/**
 * Partitioning changes in statements of their own: REMOVE PARTITIONING before the table's ALTER when the desired
 * table is not partitioned or its unique keys change (they must contain the partitioning columns under either
 * scheme), PARTITION BY after it.
 */
function repartition(ctx: MysqlPlanContext, current: Table, desired: Table, index: number): void {
  const clause = partitionClause(desired.attrs);
  const removeFirst = partitionClause(current.attrs) !== null && (clause === null || changesKeys(ctx, desired.name));
  if (removeFirst) {
    ctx.add(index, { slot: SLOT.removePartitioning, sql: `ALTER TABLE ${tableName(desired)} REMOVE PARTITIONING;`, comment: `remove partitioning of ${desired.name}`, hazards: ['table_rewrite', 'heavy_lock'] });
  }
  if (clause) {
    ctx.add(index, { slot: SLOT.partitioning, sql: `ALTER TABLE ${tableName(desired)} ${clause};`, comment: `partition ${desired.name}`, hazards: ['table_rewrite', 'heavy_lock', 'may_fail'] });
  }
}

/** Plans a table change. */
export function planTable(ctx: MysqlPlanContext, change: TableChange, index: number): void {
  if (change.action === 'missing') {
    if (!change.desired) throw ctx.error(index, 'the change carries no desired table');
    return createTable(ctx, change.desired, index);
  }
  if (change.action === 'extra') {
    if (!change.current) throw ctx.error(index, 'the change carries no current table');
    return dropTable(ctx, change.current, index);
  }
  alterTable(ctx, change, index);
}

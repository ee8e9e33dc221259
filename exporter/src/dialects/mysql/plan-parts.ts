/**
 * Planning of table parts: indexes, the primary key, check constraints (clauses of the table's combined ALTER),
 * foreign keys (their own statements: dropped before any ALTER so the indexes they need can go, added after every
 * ALTER so the indexes and columns they need exist) and triggers (dropped first, created last, in their order).
 */
import type { ConstraintChange, ForeignKeyChange, IndexChange, TriggerChange } from '../../core/model/change.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { Column, Constraint, ForeignKey, Index, Table, Trigger } from '../../core/model/schema.ts';
import { renderCreateTrigger, renderDropTrigger } from './ddl-objects.ts';
import { columnCheckOf, constraintClause, foreignKeyClause, indexClause, tableName } from './ddl-table.ts';
import { CLAUSE, SLOT, type MysqlPlanContext } from './plan-context.ts';
import { columnRebuilt, modifyColumnClause } from './plan-columns.ts';
import { dropCheckKeyword } from './plan-hazards.ts';
import { quoteIdent } from './quote.ts';

function names(change: { attributes: { name: string }[] }): Set<string> {
  return new Set(change.attributes.map((a) => a.name));
}

function indexHazards(ctx: MysqlPlanContext, table: string, index: Index): Hazard[] {
  const method = index.method.toLowerCase();
  const hazards: Hazard[] = index.unique ? ['may_fail'] : [];
  if (method === 'spatial') hazards.push('heavy_lock');
  if (method === 'fulltext') {
    // The first FULLTEXT index of an InnoDB table adds a hidden column: a rebuild under a shared lock.
    const has = (ctx.table('current', table)?.indexes ?? []).some((i) => i.method.toLowerCase() === 'fulltext');
    hazards.push('heavy_lock', ...(has ? [] : (['table_rewrite'] as const)));
  }
  return hazards;
}

/** The desired table's engine (a MEMORY table's B-tree indexes are written `USING BTREE`). */
function engineOf(ctx: MysqlPlanContext, table: string): string | null {
  const engine = ctx.table('desired', table)?.attrs.engine;
  return typeof engine === 'string' ? engine : null;
}

function addIndex(ctx: MysqlPlanContext, table: string, index: Index, change: number): void {
  ctx.alter(change, table, { order: CLAUSE.addIndex, sql: `ADD ${indexClause(index, engineOf(ctx, table))}`, comment: `add index ${index.name}`, hazards: indexHazards(ctx, table, index) });
}

function dropIndex(ctx: MysqlPlanContext, table: string, index: Index, change: number): void {
  ctx.alter(change, table, { order: CLAUSE.dropIndex, sql: `DROP INDEX ${quoteIdent(index.name)}`, comment: `drop index ${index.name}` });
}

/** Plans an index change: rename and visibility in place, anything else drop + add in the same ALTER. */
export function planIndex(ctx: MysqlPlanContext, change: IndexChange, index: number): void {
  const { desired, current } = change;
  if (change.action === 'missing' && desired) return addIndex(ctx, change.table, desired, index);
  if (change.action === 'extra' && current) return dropIndex(ctx, change.table, current, index);
  if (!desired || !current) throw ctx.error(index, 'the change carries no index');
  const changed = names(change);
  if (changed.size === 1 && changed.has('name')) {
    ctx.alter(index, change.table, { order: CLAUSE.renameIndex, sql: `RENAME INDEX ${quoteIdent(current.name)} TO ${quoteIdent(desired.name)}`, comment: `rename index ${current.name} to ${desired.name}` });
    return;
  }
  const visibilityOnly = [...changed].every((n) => n === 'attrs.invisible' || n === 'attrs.ignored');
  if (visibilityOnly) {
    const mariadb = changed.has('attrs.ignored');
    const state = mariadb ? (desired.attrs?.ignored === true ? 'IGNORED' : 'NOT IGNORED') : desired.attrs?.invisible === true ? 'INVISIBLE' : 'VISIBLE';
    ctx.alter(index, change.table, { order: CLAUSE.renameIndex, sql: `ALTER INDEX ${quoteIdent(desired.name)} ${state}`, comment: `make index ${desired.name} ${state.toLowerCase()}` });
    return;
  }
  dropIndex(ctx, change.table, current, index);
  addIndex(ctx, change.table, desired, index);
}

function tableFor(ctx: MysqlPlanContext, name: string, side: 'current' | 'desired'): Table | undefined {
  return ctx.table(side, name);
}

function dropConstraint(ctx: MysqlPlanContext, table: string, c: Constraint, change: number): void {
  if (c.kind === 'primary_key') {
    ctx.alter(change, table, { order: CLAUSE.dropPrimaryKey, sql: 'DROP PRIMARY KEY', comment: 'drop primary key', hazards: ['table_rewrite'] });
  } else if (c.kind === 'unique') {
    ctx.alter(change, table, { order: CLAUSE.dropIndex, sql: `DROP INDEX ${quoteIdent(c.name)}`, comment: `drop unique key ${c.name}` });
  } else if (c.kind === 'check') {
    if (ctx.table('current', table)?.constraints.find((k) => k.name === c.name)?.attrs?.level === 'column') return dropColumnCheck(ctx, table, c, change);
    ctx.alter(change, table, { order: CLAUSE.dropCheck, sql: `DROP ${dropCheckKeyword(ctx)} ${quoteIdent(c.name)}`, comment: `drop check ${c.name}` });
  } else {
    throw ctx.error(change, `MySQL has no ${c.kind} constraints`);
  }
}

/**
 * MariaDB cannot DROP CONSTRAINT a check written with its column (it is named after the column): a MODIFY COLUMN to
 * the desired definition drops it. A column that is dropped takes its check along.
 */
function dropColumnCheck(ctx: MysqlPlanContext, table: string, c: Constraint, change: number): void {
  const column = ctx.table('desired', table)?.columns.find((col) => col.name === c.name);
  if (!column || columnRebuilt(ctx, table, column.name)) {
    ctx.planned.add(change);
    return;
  }
  modifyColumnClause(ctx, change, table, column, { comment: `drop check ${c.name} (written with its column)`, hazards: [] });
}

/**
 * A check the desired table keeps with its column (MariaDB's column level) is written in the column's definition:
 * by the ADD COLUMN of a column the plan adds or adds again, else by a MODIFY COLUMN.
 */
function addColumnCheck(ctx: MysqlPlanContext, table: string, column: Column, change: number): void {
  if (columnRebuilt(ctx, table, column.name)) {
    ctx.planned.add(change);
    return;
  }
  modifyColumnClause(ctx, change, table, column, { comment: `add check ${column.name} with its column`, hazards: ['may_fail', 'table_rewrite', 'heavy_lock'] });
}

function addConstraint(ctx: MysqlPlanContext, table: string, c: Constraint, change: number): void {
  const indexes = tableFor(ctx, table, 'desired')?.indexes ?? [];
  if (c.kind === 'primary_key') {
    ctx.alter(change, table, { order: CLAUSE.addPrimaryKey, sql: `ADD ${constraintClause(c, indexes, engineOf(ctx, table))}`, comment: 'add primary key', hazards: ['table_rewrite', 'may_fail'] });
  } else if (c.kind === 'unique') {
    ctx.alter(change, table, { order: CLAUSE.addIndex, sql: `ADD ${constraintClause(c, indexes, engineOf(ctx, table))}`, comment: `add unique key ${c.name}`, hazards: ['may_fail'] });
  } else if (c.kind === 'check') {
    const column = ctx.table('desired', table)?.columns.find((col) => col.name === c.name);
    if (column && columnCheckOf(ctx.table('desired', table) ?? null, column)) return addColumnCheck(ctx, table, column, change);
    // Adding a check validates every row (a table copy on MySQL 8).
    ctx.alter(change, table, { order: CLAUSE.addCheck, sql: `ADD ${constraintClause(c, indexes)}`, comment: `add check ${c.name}`, hazards: ['may_fail', 'table_rewrite', 'heavy_lock'] });
  } else {
    throw ctx.error(change, `MySQL has no ${c.kind} constraints`);
  }
}

/** Plans a primary key, unique or check constraint change (drop + add in the same ALTER). */
export function planConstraint(ctx: MysqlPlanContext, change: ConstraintChange, index: number): void {
  const { desired, current } = change;
  const changed = names(change);
  if (change.action === 'changed' && desired && current && desired.kind === 'check' && changed.size === 1 && changed.has('attrs.enforced')) {
    const state = desired.attrs?.enforced === false ? 'NOT ENFORCED' : 'ENFORCED';
    ctx.alter(index, change.table, { order: CLAUSE.addCheck, sql: `ALTER CHECK ${quoteIdent(desired.name)} ${state}`, comment: `make check ${desired.name} ${state.toLowerCase()}`, hazards: state === 'ENFORCED' ? ['may_fail'] : [] });
    return;
  }
  if (current && change.action !== 'missing') dropConstraint(ctx, change.table, current, index);
  if (desired && change.action !== 'extra') addConstraint(ctx, change.table, desired, index);
  if (!desired && !current) throw ctx.error(index, 'the change carries no constraint');
}

/** `ALTER TABLE t DROP FOREIGN KEY fk` in the first phase (once per key). */
export function dropForeignKey(ctx: MysqlPlanContext, table: { name: string }, fk: ForeignKey, change: number, why = ''): void {
  const key = `${table.name}\u0000${fk.name}`;
  if (ctx.droppedForeignKeys.has(key)) {
    ctx.planned.add(change);
    return;
  }
  ctx.droppedForeignKeys.add(key);
  ctx.add(change, { slot: SLOT.dropForeignKey, sql: `ALTER TABLE ${tableName(table)} DROP FOREIGN KEY ${quoteIdent(fk.name)};`, comment: `drop foreign key ${fk.name} on ${table.name}${why}` });
}

/** `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY ...` after every table exists and is altered. */
export function addForeignKey(ctx: MysqlPlanContext, table: { schema: string; name: string }, fk: ForeignKey, change: number, newTable: boolean): void {
  // With foreign_key_checks on, MySQL adds a foreign key by copying the table and checks every row.
  const hazards: Hazard[] = newTable ? [] : ['heavy_lock', 'may_fail', 'table_rewrite'];
  ctx.add(change, { slot: SLOT.addForeignKey, sql: `ALTER TABLE ${tableName(table)} ADD ${foreignKeyClause(fk, table.schema)};`, comment: `add foreign key ${fk.name} on ${table.name}`, hazards });
}

/** Plans a foreign key change (drop + add for any difference: MySQL cannot alter one). */
export function planForeignKey(ctx: MysqlPlanContext, change: ForeignKeyChange, index: number): void {
  const table = { schema: change.schema, name: change.table };
  if (change.current && change.action !== 'missing') dropForeignKey(ctx, table, change.current, index);
  if (change.desired && change.action !== 'extra') addForeignKey(ctx, table, change.desired, index, false);
  if (!change.desired && !change.current) throw ctx.error(index, 'the change carries no foreign key');
}

function triggerKey(t: Trigger): { timing: string; event: string; order: number } {
  const m = /\b(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\b/i.exec(t.definition);
  const timing = typeof t.attrs?.timing === 'string' ? t.attrs.timing : (m?.[1] ?? '');
  const event = typeof t.attrs?.event === 'string' ? t.attrs.event : (m?.[2] ?? '');
  return { timing: timing.toUpperCase(), event: event.toUpperCase(), order: typeof t.attrs?.order === 'number' ? t.attrs.order : 1 };
}

/**
 * Creates a trigger in its place among the table's triggers of the same timing and event: FOLLOWS the one before it,
 * or PRECEDES the next one when it goes first and the next one is not recreated by this plan.
 */
export function createTrigger(ctx: MysqlPlanContext, table: Table | undefined, trigger: Trigger, change: number, recreated: ReadonlySet<string>): void {
  const key = triggerKey(trigger);
  const group = (table?.triggers ?? [])
    .filter((t) => t.name !== trigger.name && triggerKey(t).timing === key.timing && triggerKey(t).event === key.event)
    .sort((a, b) => triggerKey(a).order - triggerKey(b).order);
  const before = group.filter((t) => triggerKey(t).order < key.order).at(-1);
  const after = group.find((t) => triggerKey(t).order > key.order);
  const order = before ? { follows: before.name } : after && !recreated.has(after.name) ? { precedes: after.name } : {};
  ctx.add(change, { slot: SLOT.createTrigger, sub: key.order, sql: renderCreateTrigger(trigger, order), comment: `create trigger ${trigger.name}` });
}

/** Plans a trigger change: drop first, create last (a changed trigger is dropped and created again). */
export function planTrigger(ctx: MysqlPlanContext, change: TriggerChange, index: number): void {
  if (change.current && change.action !== 'missing') {
    ctx.add(index, { slot: SLOT.dropTrigger, sql: renderDropTrigger(change.current), comment: `drop trigger ${change.current.name}`, hazards: change.action === 'changed' ? ['rebuild'] : [] });
  }
  if (change.desired && change.action !== 'extra') {
    const recreated = new Set(ctx.changes.filter((c) => c.type === 'trigger' && c.table === change.table && c.action !== 'extra').map((c) => c.name));
    createTrigger(ctx, tableFor(ctx, change.table, 'desired'), change.desired, index, recreated);
  }
  if (!change.desired && !change.current) throw ctx.error(index, 'the change carries no trigger');
}

/**
 * Planning of column changes: add, drop, and the in-place alterations PostgreSQL offers (type, default, nullability,
 * identity, collation, comment). A change of a generated expression cannot be altered on PostgreSQL 15, so the
 * column is dropped and added again.
 */
import type { ColumnChange } from '../../core/model/change.ts';
import type { Column, Table } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import { pushTo } from '../../core/model/build-helpers.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { collationName, columnDefinition, identityClause, needsRestart, parseQualifiedKey, renderComment, tableName } from './ddl-table.ts';
import { quoteIdent } from './quote.ts';
import { attributeNames, isInheritedPart } from './plan-parts.ts';
import { columnAclOf, columnTarget, planAclChange, planCreatedAcl } from './plan-privileges.ts';
import { mentions, rebuildColumnUsers, restoreColumnParts } from './plan-column-parts.ts';
import { partitionDepth } from './plan-table.ts';

type TableRef = { schema: string; name: string };

const COLUMN_ATTRIBUTES = ['type', 'default', 'nullable', 'identity', 'generated', 'collation', 'comment'];

/** Plans a column change. */
export function planColumn(ctx: PostgresPlanContext, change: ColumnChange, index: number): void {
  const table: TableRef = { schema: change.schema, name: change.table };
  if (change.action === 'missing' && change.desired) return addColumn(ctx, table, change.desired, index);
  if (change.action === 'extra' && change.current) return dropColumn(ctx, table, change.current, index);
  if (!change.desired || !change.current) throw ctx.error(index, 'a changed column must carry both sides');
  const all = attributeNames(change);
  const names = new Set([...all].filter((n) => n !== 'attrs.acl').map((n) => n.split('.')[0] ?? n));
  for (const name of names) {
    if (!COLUMN_ATTRIBUTES.includes(name)) throw ctx.error(index, `the column attribute "${name}" cannot be altered in place`);
  }
  if (names.size) alterColumn(ctx, table, change.current, change.desired, names, index);
  if (all.has('attrs.acl')) {
    // An absent column ACL is an empty one: the column has no grants of its own.
    const side = (column: Column, of: 'current' | 'desired') => ({ acl: columnAclOf(column) ?? [], owner: ctx.findTable(table.schema, table.name, of)?.owner });
    planAclChange(ctx, columnTarget(table, change.desired.name), side(change.current, 'current'), side(change.desired, 'desired'), index);
  }
}

/** True when the column is inherited from a partition parent: changes on the parent reach it. */
function inheritedColumn(ctx: PostgresPlanContext, table: TableRef, column: Column, side: 'current' | 'desired' | 'any' = 'any'): boolean {
  if (isInheritedPart(column.attrs)) return true;
  const t = ctx.findTable(table.schema, table.name, side) ?? ctx.findTable(table.schema, table.name);
  if (typeof t?.attrs.partitionOf === 'string' && t.attrs.partitionOf !== '') return true;
  // A column of an INHERITS child that a parent also has comes (and goes) with the parent's column.
  const parents = Array.isArray(t?.attrs.inherits) ? t.attrs.inherits.filter((p): p is string => typeof p === 'string') : [];
  return parents.some((key) => {
    const parent = ctx.findTable(...parseQualifiedKey(key), side);
    return parent?.columns.some((c) => c.name === column.name) ?? false;
  });
}

/**
 * Adds a column. `rebuilt`: the current column when the column is dropped and added again, whose own grants then come
 * back (the desired ones when privileges are compared, else those the live snapshot kept).
 */
function addColumn(ctx: PostgresPlanContext, table: TableRef, column: Column, index: number, extra: Hazard[] = [], rebuilt?: Column): void {
  if (inheritedColumn(ctx, table, column, 'desired')) return;
  const hazards: Hazard[] = [...extra];
  if (!column.nullable && column.default === null && !column.identity && !column.generated) hazards.push('may_fail');
  if (column.generated?.kind === 'stored' || column.identity) hazards.push('table_rewrite');
  ctx.add(index, { slot: SLOT.alterColumn, sql: `ALTER TABLE ${tableName(table)} ADD COLUMN ${columnDefinition(column)};`, comment: `add column ${table.name}.${column.name}`, hazards });
  if (column.comment !== null) commentOnColumn(ctx, table, column, index);
  restoreColumnAcl(ctx, table, column, index, rebuilt);
}

/** The grants of an added (or re-added, see {@link addColumn}) column. */
function restoreColumnAcl(ctx: PostgresPlanContext, table: TableRef, column: Column, index: number, rebuilt?: Column): void {
  const desired = columnAclOf(column);
  const acl = desired ?? (rebuilt ? rebuilt.kept?.acl : undefined);
  if (!acl) return;
  // Without privileges the table's owner is unknown: the grantor the kept items share stands for it (`inferOwner`).
  const owner = desired ? ctx.findTable(table.schema, table.name, 'desired')?.owner : undefined;
  planCreatedAcl(ctx, columnTarget(table, column.name), { acl, owner }, index);
}

/**
 * Drops a column. With `INHERITS`, what the catalog says about the column (`Column.inheritance`) decides where: a
 * column a child only inherits goes with its parent's, unless another child keeps it, when the parent's column is
 * dropped `ONLY` there (the children's copies become their own) and each child that does not keep it drops its own;
 * a column a child also declares (`merged`) outlives the parent's and is dropped after it. Parents drop first.
 */
function dropColumn(ctx: PostgresPlanContext, table: TableRef, column: Column, index: number, slot: number = SLOT.dropColumn, extra: Hazard[] = []): void {
  const own = column.inheritance === 'merged' || (column.inheritance === 'inherited' && droppedOnlyFromParent(ctx, table, column.name));
  if (!own && inheritedColumn(ctx, table, column, 'current')) return;
  ctx.markReshaped(table, column.name, index);
  const only = slot === SLOT.dropColumn && childrenKeeping(ctx, table, column.name).length > 0;
  const current = ctx.findTable(table.schema, table.name, 'current');
  ctx.add(index, {
    slot,
    sub: current ? partitionDepth(ctx, current) : 0,
    sql: `ALTER TABLE ${only ? 'ONLY ' : ''}${tableName(table)} DROP COLUMN ${quoteIdent(column.name)};`,
    comment: `drop column ${table.name}.${column.name}${only ? ' (its children keep their copies)' : ''}`,
    hazards: ['data_loss', ...extra],
  });
}

/** Current `INHERITS` children by parent key, built once per plan (a plan may drop thousands of columns). */
const childrenByParent = new WeakMap<PostgresPlanContext, Map<string, Table[]>>();

/** `INHERITS` children of `table` (current side) that keep a column named `name` in the desired schema. */
function childrenKeeping(ctx: PostgresPlanContext, table: TableRef, name: string): string[] {
  let children = childrenByParent.get(ctx);
  if (!children) {
    children = new Map();
    for (const t of (ctx.options.current?.schemas ?? []).flatMap((s) => s.tables)) {
      const inherits = Array.isArray(t.attrs.inherits) ? t.attrs.inherits : [];
      for (const parent of inherits) if (typeof parent === 'string') pushTo(children, parent, t);
    }
    childrenByParent.set(ctx, children);
  }
  return (children.get(qualifiedKey(table.schema, table.name)) ?? []).flatMap((t) => {
    const desired = ctx.findTable(t.schema, t.name, 'desired');
    return desired?.columns.some((c) => c.name === name) ? [qualifiedKey(t.schema, t.name)] : [];
  });
}

/** True when a parent of `table` drops its column `name` with `ONLY` (see {@link dropColumn}): the child's copy stays. */
function droppedOnlyFromParent(ctx: PostgresPlanContext, table: TableRef, name: string): boolean {
  const inherits = ctx.findTable(table.schema, table.name, 'current')?.attrs.inherits;
  const parents = Array.isArray(inherits) ? inherits.filter((p): p is string => typeof p === 'string') : [];
  return parents.some((key) => {
    const [schema, parentName] = parseQualifiedKey(key);
    const dropped = ctx.changesOf(schema, parentName).some((c) => c.type === 'column' && c.action === 'extra' && c.name === name);
    return dropped && childrenKeeping(ctx, { schema, name: parentName }, name).length > 0;
  });
}

function commentOnColumn(ctx: PostgresPlanContext, table: TableRef, column: Column, index: number): void {
  ctx.add(index, { slot: SLOT.comment, sql: renderComment(`COLUMN ${tableName(table)}.${quoteIdent(column.name)}`, column.comment), comment: `comment on column ${table.name}.${column.name}` });
}

/**
 * Generated columns of `table` (current side) whose expression reads a column whose type this plan changes:
 * PostgreSQL refuses "cannot alter type of a column used by a generated column", so they are dropped before the
 * type changes and added again (in their desired form) after.
 */
function generatedOverRetyped(ctx: PostgresPlanContext, table: TableRef): Column[] {
  const retyped = ctx.changesOf(table.schema, table.name).flatMap((c) =>
    c.type === 'column' && c.action === 'changed' && c.attributes.some((a) => a.name === 'type') && !c.current?.generated ? [c.name] : [],
  );
  if (!retyped.length) return [];
  const columns = ctx.findTable(table.schema, table.name, 'current')?.columns ?? [];
  return columns.filter((g) => g.generated && retyped.some((name) => name !== g.name && mentions(g.generated?.expression ?? '', name)));
}

/** Drops and re-adds the generated columns of {@link generatedOverRetyped} around the type changes (once each). */
function rebuildGenerated(ctx: PostgresPlanContext, table: TableRef, index: number): Set<string> {
  const rebuilt = new Set<string>();
  for (const g of generatedOverRetyped(ctx, table)) {
    rebuilt.add(g.name);
    const desired = ctx.findTable(table.schema, table.name, 'desired')?.columns.find((c) => c.name === g.name);
    if (!desired?.generated) continue; // no longer generated or gone: its own change handles it
    const drop = `ALTER TABLE ${tableName(table)} DROP COLUMN ${quoteIdent(g.name)};`;
    if (ctx.has(SLOT.alterColumn, drop)) continue;
    ctx.markReshaped(table, g.name, index);
    ctx.add(index, { slot: SLOT.alterColumn, sql: drop, comment: `drop generated column ${table.name}.${g.name} while a column it reads changes type`, hazards: ['rebuild'] });
    ctx.add(index, { slot: SLOT.retypeColumn, sql: `ALTER TABLE ${tableName(table)} ADD COLUMN ${columnDefinition(desired)};`, comment: `add generated column ${table.name}.${g.name} again`, hazards: ['rebuild', 'table_rewrite'] });
    if (desired.comment !== null) commentOnColumn(ctx, table, desired, index);
    restoreColumnAcl(ctx, table, desired, index, g);
    restoreColumnParts(ctx, table, g.name, index);
  }
  return rebuilt;
}

function alterColumn(ctx: PostgresPlanContext, table: TableRef, current: Column, desired: Column, names: Set<string>, index: number): void {
  if (rebuildGenerated(ctx, table, index).has(desired.name) && desired.generated) return;
  if (names.has('generated') && desired.generated) {
    // PostgreSQL 15 cannot change a generation expression or make a column generated: rebuild the column.
    dropColumn(ctx, table, current, index, SLOT.alterColumn, ['rebuild']);
    addColumn(ctx, table, desired, index, ['rebuild'], current);
    restoreColumnParts(ctx, table, desired.name, index);
    return;
  }
  if (inheritedColumn(ctx, table, desired) && !names.has('comment')) return;
  const col = `ALTER TABLE ${tableName(table)} ALTER COLUMN ${quoteIdent(desired.name)}`;
  const add = (sql: string, comment: string, hazards: Hazard[] = [], slot: number = SLOT.alterColumn): void =>
    ctx.add(index, { slot, sql: `${col} ${sql};`, comment: `${comment} of ${table.name}.${desired.name}`, hazards });
  const retype = names.has('type') || names.has('collation');
  if (names.has('generated')) add('DROP EXPRESSION', 'drop generation expression');
  if (current.identity && (!desired.identity || names.has('identity') && identityNeedsReadd(current, desired))) {
    add('DROP IDENTITY', 'drop identity', [], SLOT.alterColumn);
  }
  // A default may not cast to the new type (or may block ADD IDENTITY): drop it first, set the desired one after.
  const defaultBefore = current.default !== null && !current.identity && !current.generated;
  const resetDefault = defaultBefore && (retype || names.has('default') || (desired.identity !== null && !current.identity));
  if (resetDefault) add('DROP DEFAULT', 'drop default', [], SLOT.alterColumn);
  if (retype) planRetype(ctx, table, current, desired, index, add);
  if ((resetDefault || names.has('default')) && desired.default !== null && !desired.identity && !desired.generated) {
    add(`SET DEFAULT ${desired.default}`, 'set default', [], SLOT.retypeColumn);
  } else if (names.has('default') && !resetDefault && desired.default === null && current.default !== null && !current.identity) {
    add('DROP DEFAULT', 'drop default', [], SLOT.retypeColumn);
  }
  if (names.has('nullable')) {
    if (desired.nullable) add('DROP NOT NULL', 'drop not null', [], SLOT.retypeColumn);
    else add('SET NOT NULL', 'set not null', ['heavy_lock', 'may_fail'], SLOT.retypeColumn);
  }
  if (desired.identity && (!current.identity || identityNeedsReadd(current, desired))) {
    add(`ADD ${identityClause(desired.identity)}`, 'add identity', ['table_rewrite', 'heavy_lock'], SLOT.retypeColumn);
  } else if (desired.identity && current.identity && names.has('identity')) {
    alterIdentity(current, desired, add);
  }
  if (names.has('comment')) commentOnColumn(ctx, table, desired, index);
}

/** Identity of another kind (`auto_increment` never occurs on PostgreSQL) must be dropped and re-added. */
function identityNeedsReadd(current: Column, desired: Column): boolean {
  return current.identity?.generation === 'auto_increment' || desired.identity?.generation === 'auto_increment';
}

function alterIdentity(current: Column, desired: Column, add: (sql: string, comment: string, hazards?: Hazard[], slot?: number) => void): void {
  const parts: string[] = [];
  const cur = current.identity;
  const want = desired.identity;
  if (!cur || !want) return;
  if (cur.generation !== want.generation) parts.push(`SET GENERATED ${want.generation === 'always' ? 'ALWAYS' : 'BY DEFAULT'}`);
  const a = cur.sequence;
  const b = want.sequence;
  if (a && b) {
    if (a.start !== b.start) parts.push(`SET START WITH ${b.start}`);
    if (a.increment !== b.increment) parts.push(`SET INCREMENT BY ${b.increment}`);
    if (a.min !== b.min) parts.push(`SET MINVALUE ${b.min}`);
    if (a.max !== b.max) parts.push(`SET MAXVALUE ${b.max}`);
    if (a.cache !== b.cache) parts.push(`SET CACHE ${b.cache}`);
    if (a.cycle !== b.cycle) parts.push(b.cycle ? 'SET CYCLE' : 'SET NO CYCLE');
    if (parts.length && needsRestart(a, b)) parts.push(`RESTART WITH ${b.start}`);
  }
  if (parts.length) add(parts.join(' '), 'alter identity', [], SLOT.retypeColumn);
}

/** Integer and text widenings that never lose data. */
const WIDENINGS: Record<string, string[]> = {
  smallint: ['integer', 'bigint', 'numeric', 'real', 'double precision'],
  integer: ['bigint', 'numeric', 'double precision'],
  bigint: ['numeric'],
  'character varying': ['text'],
  character: ['text', 'character varying'],
  real: ['double precision'],
};

function baseName(raw: string): string {
  return raw.replace(/\(.*\)/, '').trim();
}

function typmod(raw: string): number | null {
  const match = /\((\d+)\)/.exec(raw);
  return match ? Number(match[1]) : null;
}

/** Hazards of a type change: a varchar widening is free; known widenings rewrite; anything else may also lose data. */
export function retypeHazards(from: string, to: string): Hazard[] {
  const a = baseName(from);
  const b = baseName(to);
  if (a === b && a === 'character varying') {
    const m = typmod(from);
    const n = typmod(to);
    if (n === null || (m !== null && n >= m)) return [];
  }
  if ((a === 'character varying' || a === 'text') && b === 'text') return [];
  if (a === b && from === to) return ['table_rewrite', 'heavy_lock'];
  if (WIDENINGS[a]?.includes(b)) return ['table_rewrite', 'heavy_lock'];
  return ['table_rewrite', 'heavy_lock', 'data_loss', 'may_fail'];
}

function planRetype(
  ctx: PostgresPlanContext,
  table: TableRef,
  current: Column,
  desired: Column,
  index: number,
  add: (sql: string, comment: string, hazards?: Hazard[], slot?: number) => void,
): void {
  const collate = desired.collation ? ` COLLATE ${collationName(desired.collation)}` : '';
  // A generated column is recomputed from its expression; PostgreSQL refuses USING for it. An enum has no cast to
  // another enum (nor to most types): it goes through text, array dimensions kept.
  const viaText = current.type.category === 'enum' && current.type.raw !== desired.type.raw ? `::text${'[]'.repeat(current.type.arrayDims ?? 0)}` : '';
  const using = current.type.raw === desired.type.raw || current.generated ? '' : ` USING ${quoteIdent(desired.name)}${viaText}::${desired.type.raw}`;
  const hazards = current.type.raw === desired.type.raw ? (['heavy_lock'] as Hazard[]) : retypeHazards(current.type.raw, desired.type.raw);
  add(`TYPE ${desired.type.raw}${collate}${using}`, 'change type', hazards, SLOT.retypeColumn - 0.5);
  ctx.markReshaped(table, current.name, index);
  rebuildColumnUsers(ctx, table, current.name, index);
}

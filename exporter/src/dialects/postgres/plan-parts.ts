/**
 * Planning of table parts: constraints, indexes, foreign keys, triggers and policies. Definitions change by drop +
 * create (PostgreSQL has no ALTER for them), except comments, trigger enable state, constraint validation and the
 * policy clauses ALTER POLICY can set.
 */
import type {
  ConstraintChange,
  ForeignKeyChange,
  IndexChange,
  PolicyChange,
  TriggerChange,
} from '../../core/model/change.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { Attrs, Constraint, ForeignKey, Index, Policy, Table, Trigger } from '../../core/model/schema.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import {
  policyRoles,
  renderAddConstraint,
  renderComment,
  renderCreateIndex,
  renderCreatePolicy,
  renderCreateTrigger,
  renderDropConstraint,
  renderDropIndex,
  renderTriggerEnabled,
  tableName,
} from './ddl-table.ts';
import { quoteIdent, quoteQualified } from './quote.ts';
import { rebuildForeignKeysOnKey } from './plan-key-dependents.ts';

type TableRef = { schema: string; name: string };

/**
 * True for a part a partition inherits from its parent (cloned index, constraint, foreign key or trigger, or an
 * inherited column): creating the parent's part creates it, so it is never created or dropped on its own.
 */
export function isInheritedPart(attrs: Attrs | undefined): boolean {
  if (!attrs) return false;
  return attrs.inherited === true || attrs.isLocal === false || attrs.local === false || typeof attrs.parentIndex === 'string';
}

/**
 * True when the part is (or, for an extra part, was) inherited from a parent table: the parent's own change creates
 * or drops it, and adding it on the child as well would make it a local constraint.
 */
function inheritedChange(change: { action: string; desired?: { attrs?: Attrs }; current?: { attrs?: Attrs } }): boolean {
  if (change.action === 'missing') return isInheritedPart(change.desired?.attrs);
  if (change.action === 'extra') return isInheritedPart(change.current?.attrs);
  return isInheritedPart(change.desired?.attrs) && isInheritedPart(change.current?.attrs);
}

/** Names the part-level attributes of a change, ignoring array indexes (`values[2]` → `values`). */
export function attributeNames(change: { attributes: { name: string }[] }): Set<string> {
  return new Set(change.attributes.map((a) => a.name.replace(/\[.*$/, '')));
}

function onlyAttributes(names: Set<string>, allowed: string[]): boolean {
  return names.size > 0 && [...names].every((n) => allowed.includes(n));
}

/** Everything a new table carries besides its columns. */
export function planCreateTableParts(ctx: PostgresPlanContext, table: Table, index: number, opts: { newTable: boolean }): void {
  const ref: TableRef = table;
  for (const c of table.constraints) if (!isInheritedPart(c.attrs)) addConstraint(ctx, ref, c, index, opts.newTable);
  for (const i of table.indexes) if (!i.constraint && !isInheritedPart(i.attrs)) createIndex(ctx, ref, i, index, opts.newTable);
  for (const fk of table.foreignKeys) if (!isInheritedPart(fk.attrs)) addForeignKey(ctx, ref, fk, index, opts.newTable);
  for (const t of table.triggers) if (!isInheritedPart(t.attrs)) createTrigger(ctx, ref, t, index);
  for (const p of table.policies) createPolicy(ctx, ref, p, index);
  planRowSecurity(ctx, table, index);
}

/** Adds a constraint (and its comment) to an existing or new table. */
export function addConstraint(ctx: PostgresPlanContext, table: TableRef, c: Constraint, index: number, newTable: boolean): void {
  const hazards: Hazard[] = newTable ? [] : ['heavy_lock', ...(c.kind === 'exclusion' || c.kind === 'check' || c.kind === 'unique' || c.kind === 'primary_key' ? (['may_fail'] as const) : [])];
  ctx.add(index, { slot: SLOT.addConstraint, sql: renderAddConstraint(table, c), comment: `add ${c.kind.replace('_', ' ')} ${c.name} on ${table.name}`, hazards });
  if (c.comment !== null) commentOnConstraint(ctx, table, c.name, c.comment, index);
}

/** Adds a foreign key (and its comment) to an existing or new table. */
export function addForeignKey(ctx: PostgresPlanContext, table: TableRef, fk: ForeignKey, index: number, newTable: boolean): void {
  const hazards: Hazard[] = newTable ? [] : ['heavy_lock', 'may_fail'];
  ctx.add(index, { slot: SLOT.addForeignKey, sql: renderAddConstraint(table, fk), comment: `add foreign key ${fk.name} on ${table.name}`, hazards });
  if (fk.comment !== null) commentOnConstraint(ctx, table, fk.name, fk.comment, index);
}

function commentOnConstraint(ctx: PostgresPlanContext, table: TableRef, name: string, comment: string | null, index: number): void {
  ctx.add(index, { slot: SLOT.comment, sql: renderComment(`CONSTRAINT ${quoteIdent(name)} ON ${tableName(table)}`, comment), comment: `comment on constraint ${name}` });
}

function isPartitioned(ctx: PostgresPlanContext, table: TableRef): boolean {
  const t = ctx.findTable(table.schema, table.name);
  return typeof t?.attrs.partitionBy === 'string' && t.attrs.partitionBy !== '';
}

/** Creates an index; on an existing table without CONCURRENTLY it locks writes for the build. */
export function createIndex(ctx: PostgresPlanContext, table: TableRef, i: Index, index: number, newTable: boolean, slot: number = SLOT.createIndex): void {
  const concurrently = !newTable && ctx.options.concurrently === true && !isPartitioned(ctx, table);
  const sql = renderCreateIndex(table, i, concurrently);
  if (ctx.has(slot, sql)) return;
  const hazards: Hazard[] = newTable ? [] : [...(concurrently ? [] : (['heavy_lock'] as const)), ...(i.unique ? (['may_fail'] as const) : [])];
  ctx.add(index, { slot: slot, sql, comment: `create index ${i.name} on ${table.name}`, hazards, noTransaction: concurrently });
  if (i.comment !== null) {
    ctx.add(index, { slot: SLOT.comment, sql: renderComment(`INDEX ${quoteQualified(table.schema, i.name)}`, i.comment), comment: `comment on index ${i.name}` });
  }
}

/** Creates a trigger on a table (or a rebuilt view) with its enable state and comment. */
export function createTrigger(ctx: PostgresPlanContext, table: TableRef, t: Trigger, index: number): void {
  ctx.add(index, { slot: SLOT.createTrigger, sql: renderCreateTrigger(t), comment: `create trigger ${t.name} on ${table.name}` });
  const enabled = renderTriggerEnabled(table, t);
  if (enabled) ctx.add(index, { slot: SLOT.createTrigger, sql: enabled, comment: `set enable state of trigger ${t.name}` });
  if (t.comment !== null) commentOnTrigger(ctx, table, t, index);
}

function commentOnTrigger(ctx: PostgresPlanContext, table: TableRef, t: Trigger, index: number): void {
  ctx.add(index, { slot: SLOT.comment, sql: renderComment(`TRIGGER ${quoteIdent(t.name)} ON ${tableName(table)}`, t.comment), comment: `comment on trigger ${t.name}` });
}

/** Creates a row-level security policy. */
export function createPolicy(ctx: PostgresPlanContext, table: TableRef, p: Policy, index: number): void {
  ctx.add(index, { slot: SLOT.createPolicy, sql: renderCreatePolicy(table, p), comment: `create policy ${p.name} on ${table.name}` });
}

function tableOf(change: { schema: string; table: string }): TableRef {
  return { schema: change.schema, name: change.table };
}

function both<T>(ctx: PostgresPlanContext, change: { desired?: T; current?: T }, index: number): { desired: T; current: T } {
  if (!change.desired || !change.current) throw ctx.error(index, 'a changed object must carry both sides');
  return { desired: change.desired, current: change.current };
}

/**
 * True when an index differs only in being attached to a parent's index and its table is attached to or detached
 * from a partitioned table in this plan: DETACH PARTITION leaves the index standalone, ATTACH PARTITION attaches the
 * matching index instead of building a new one. Dropping it first would fail while it is attached.
 */
function attachedWithItsTable(ctx: PostgresPlanContext, change: IndexChange): boolean {
  if (change.action !== 'changed' || !onlyAttributes(attributeNames(change), ['attrs.inherited'])) return false;
  return ctx.changesOf(change.schema, change.table).some(
    (c) =>
      c.type === 'table' && c.action === 'changed' &&
      c.attributes.some((a) => a.name === 'attrs.partitionOf' || a.name === 'attrs.partitionBound'),
  );
}

/** Plans an index change. Indexes backing constraints are planned through their constraint. */
export function planIndex(ctx: PostgresPlanContext, change: IndexChange, index: number): void {
  if (inheritedChange(change) || attachedWithItsTable(ctx, change)) return;
  const table = tableOf(change);
  const viewKey = qualifiedKey(change.schema, change.table);
  // A materialized view that is created or rebuilt brings all its indexes along.
  if (ctx.createdViews.has(viewKey) || ctx.droppedViews.has(viewKey)) return;
  const onView = ctx.isView(change.schema, change.table);
  const concurrently = ctx.options.concurrently === true && !isPartitioned(ctx, table);
  const drop = (i: Index, rebuild: boolean): void => {
    if (i.constraint) return;
    ctx.add(index, { slot: SLOT.dropIndex, sql: renderDropIndex(change.schema, i.name, concurrently), comment: `drop index ${i.name}`, hazards: rebuild ? ['rebuild'] : [], noTransaction: concurrently });
    // A unique index on plain columns can carry foreign keys of other tables, which must go first.
    const columns = i.parts.map((p) => p.column);
    if (i.unique && i.predicate === null && columns.every((c): c is string => c !== undefined)) rebuildForeignKeysOnKey(ctx, table, columns, index);
  };
  if (change.action === 'missing' && change.desired) {
    if (!change.desired.constraint) createIndex(ctx, table, change.desired, index, false, onView ? SLOT.createViewIndex : SLOT.createIndex);
    return;
  }
  if (change.action === 'extra' && change.current) return drop(change.current, false);
  const { desired, current } = both(ctx, change, index);
  const names = attributeNames(change);
  if (onlyAttributes(names, ['name'])) {
    ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER INDEX ${quoteQualified(change.schema, current.name)} RENAME TO ${quoteIdent(desired.name)};`, comment: `rename index ${current.name} to ${desired.name}` });
    return;
  }
  if (onlyAttributes(names, ['comment', 'attrs.options'])) {
    if (names.has('attrs.options')) alterIndexOptions(ctx, change.schema, current, desired, index);
    if (names.has('comment')) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`INDEX ${quoteQualified(change.schema, desired.name)}`, desired.comment), comment: `comment on index ${desired.name}` });
    return;
  }
  if (desired.constraint || current.constraint) throw ctx.error(index, 'an index backing a constraint changes through its constraint');
  drop(current, true);
  createIndex(ctx, table, desired, index, false, onView ? SLOT.createViewIndex : SLOT.createIndex);
}

/** Storage parameters as a key → value map (`fillfactor=70`). */
function optionMap(attrs: Attrs | undefined): Map<string, string> {
  const map = new Map<string, string>();
  const items = Array.isArray(attrs?.options) ? attrs.options : [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const eq = item.indexOf('=');
    if (eq > 0) map.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return map;
}

/** `ALTER INDEX ... SET (...)` / `RESET (...)`: storage parameters change without a rebuild. */
function alterIndexOptions(ctx: PostgresPlanContext, schema: string, current: Index, desired: Index, index: number): void {
  const before = optionMap(current.attrs);
  const after = optionMap(desired.attrs);
  const name = quoteQualified(schema, desired.name);
  const reset = [...before.keys()].filter((k) => !after.has(k)).sort();
  const set = [...after].filter(([k, v]) => before.get(k) !== v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (reset.length) ctx.add(index, { slot: SLOT.createIndex, sql: `ALTER INDEX ${name} RESET (${reset.join(', ')});`, comment: `reset storage parameters of index ${desired.name}` });
  if (set.length) ctx.add(index, { slot: SLOT.createIndex, sql: `ALTER INDEX ${name} SET (${set.map(([k, v]) => `${k}=${v}`).join(', ')});`, comment: `set storage parameters of index ${desired.name}` });
}

/** Plans a primary key, unique, check or exclusion constraint change. */
export function planConstraint(ctx: PostgresPlanContext, change: ConstraintChange, index: number): void {
  planKeyLike(ctx, change, index, SLOT.dropConstraint, (c) => addConstraint(ctx, tableOf(change), c, index, false));
}

/** Plans a foreign key change. */
export function planForeignKey(ctx: PostgresPlanContext, change: ForeignKeyChange, index: number): void {
  planKeyLike(ctx, change, index, SLOT.dropForeignKey, (fk) => addForeignKey(ctx, tableOf(change), fk, index, false));
}

interface KeyLikeChange<T> {
  readonly action: string;
  readonly schema: string;
  readonly table: string;
  readonly desired?: T;
  readonly current?: T;
  readonly attributes: { name: string }[];
}

function planKeyLike<T extends Constraint | ForeignKey>(
  ctx: PostgresPlanContext,
  change: KeyLikeChange<T>,
  index: number,
  dropSlot: typeof SLOT.dropConstraint | typeof SLOT.dropForeignKey,
  add: (c: T) => void,
): void {
  if (inheritedChange(change)) return;
  const table = tableOf(change);
  const drop = (c: T, hazards: Hazard[]): void => {
    ctx.add(index, { slot: dropSlot, sql: renderDropConstraint(table, c.name), comment: `drop constraint ${c.name} on ${table.name}`, hazards });
    // Foreign keys standing on a primary key or unique constraint must go first.
    if ('kind' in c && (c.kind === 'primary_key' || c.kind === 'unique')) rebuildForeignKeysOnKey(ctx, table, c.columns, index);
  };
  if (change.action === 'missing' && change.desired) return add(change.desired);
  if (change.action === 'extra' && change.current) return drop(change.current, []);
  const { desired, current } = both(ctx, change, index);
  const names = attributeNames(change);
  if (onlyAttributes(names, ['name'])) {
    ctx.add(index, { slot: SLOT.alterTable, sql: `ALTER TABLE ${tableName(table)} RENAME CONSTRAINT ${quoteIdent(current.name)} TO ${quoteIdent(desired.name)};`, comment: `rename constraint ${current.name} to ${desired.name}` });
    return;
  }
  // A validated constraint cannot be made NOT VALID again in place: that case is rebuilt below (its definition
  // carries NOT VALID).
  if (onlyAttributes(names, ['comment', 'validated']) && desired.validated !== false) {
    if (names.has('validated')) {
      ctx.add(index, { slot: SLOT.addConstraint, sql: `ALTER TABLE ${tableName(table)} VALIDATE CONSTRAINT ${quoteIdent(desired.name)};`, comment: `validate constraint ${desired.name}`, hazards: ['heavy_lock', 'may_fail'] });
    }
    if (names.has('comment')) commentOnConstraint(ctx, table, desired.name, desired.comment, index);
    return;
  }
  drop(current, ['rebuild']);
  add(desired);
}

/** Plans a trigger change. */
export function planTrigger(ctx: PostgresPlanContext, change: TriggerChange, index: number): void {
  if (inheritedChange(change)) return;
  const table = tableOf(change);
  const drop = (t: Trigger, hazards: Hazard[]): void =>
    ctx.add(index, { slot: SLOT.dropTrigger, sql: `DROP TRIGGER ${quoteIdent(t.name)} ON ${tableName(table)};`, comment: `drop trigger ${t.name}`, hazards });
  if (change.action === 'missing' && change.desired) return createTrigger(ctx, table, change.desired, index);
  if (change.action === 'extra' && change.current) return drop(change.current, []);
  const { desired, current } = both(ctx, change, index);
  const names = attributeNames(change);
  if (onlyAttributes(names, ['comment', 'enabled'])) {
    if (names.has('enabled')) {
      const sql = renderTriggerEnabled(table, desired) ?? `ALTER TABLE ${tableName(table)} ENABLE TRIGGER ${quoteIdent(desired.name)};`;
      ctx.add(index, { slot: SLOT.createTrigger, sql, comment: `set enable state of trigger ${desired.name}` });
    }
    if (names.has('comment')) commentOnTrigger(ctx, table, desired, index);
    return;
  }
  drop(current, ['rebuild']);
  createTrigger(ctx, table, desired, index);
}

/** Plans a policy change: ALTER POLICY for roles and clauses that stay present, else drop + create. */
export function planPolicy(ctx: PostgresPlanContext, change: PolicyChange, index: number): void {
  const table = tableOf(change);
  const drop = (p: Policy, hazards: Hazard[]): void =>
    ctx.add(index, { slot: SLOT.dropPolicy, sql: `DROP POLICY ${quoteIdent(p.name)} ON ${tableName(table)};`, comment: `drop policy ${p.name}`, hazards });
  if (change.action === 'missing' && change.desired) return createPolicy(ctx, table, change.desired, index);
  if (change.action === 'extra' && change.current) return drop(change.current, []);
  const { desired, current } = both(ctx, change, index);
  const alterable =
    desired.permissive === current.permissive &&
    desired.command === current.command &&
    (desired.using !== null || current.using === null) &&
    (desired.withCheck !== null || current.withCheck === null);
  if (!alterable) {
    drop(current, ['rebuild']);
    createPolicy(ctx, table, desired, index);
    return;
  }
  const sql = [
    `ALTER POLICY ${quoteIdent(desired.name)} ON ${tableName(table)} TO ${policyRoles(desired.roles)}`,
    desired.using !== null ? ` USING (${desired.using})` : '',
    desired.withCheck !== null ? ` WITH CHECK (${desired.withCheck})` : '',
    ';',
  ].join('');
  ctx.add(index, { slot: SLOT.createPolicy, sql, comment: `alter policy ${desired.name} on ${table.name}` });
}

/** Enables/forces row level security as the desired table has it (for a new table only what is on). */
export function planRowSecurity(ctx: PostgresPlanContext, desired: Table, index: number, current?: Table): void {
  const t = tableName(desired);
  const want = (table: Table | undefined, key: string): boolean => table?.attrs[key] === true;
  if (want(desired, 'rowSecurity') !== want(current, 'rowSecurity')) {
    const on = want(desired, 'rowSecurity');
    ctx.add(index, { slot: SLOT.rowSecurity, sql: `ALTER TABLE ${t} ${on ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY;`, comment: `${on ? 'enable' : 'disable'} row level security on ${desired.name}` });
  }
  if (want(desired, 'forceRowSecurity') !== want(current, 'forceRowSecurity')) {
    const on = want(desired, 'forceRowSecurity');
    ctx.add(index, { slot: SLOT.rowSecurity, sql: `ALTER TABLE ${t} ${on ? '' : 'NO '}FORCE ROW LEVEL SECURITY;`, comment: `${on ? 'force' : 'unforce'} row level security on ${desired.name}` });
  }
}

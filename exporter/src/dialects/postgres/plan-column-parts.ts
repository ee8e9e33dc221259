/**
 * The parts of a table that PostgreSQL drops silently with a column: indexes and constraints on it (and foreign keys
 * from it). When the planner rebuilds a column (drop + add, for a generated column whose expression changes or
 * whose input column changes type), nothing in the diff names these parts, because they are the same on both sides;
 * they are created again here in their desired form. Views reading the column are rebuilt through
 * `PostgresPlanContext.reshapedTables`.
 */
import type { Change } from '../../core/model/change.ts';
import type { Constraint, ForeignKey, Index, Policy, Trigger } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { renderAddConstraint } from './ddl-table.ts';
import { quoteIdent } from './quote.ts';
import { addConstraint, addForeignKey, createIndex, createPolicy, createTrigger, isInheritedPart } from './plan-parts.ts';
import { tableName } from './ddl-table.ts';

type TableRef = { schema: string; name: string };

/** True when an expression mentions the column (as the server deparses it: a bare or quoted name). */
export function mentions(expression: string, column: string): boolean {
  const name = quoteIdent(column).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w$."])${name}(?![\\w$"])`).test(expression);
}

function indexUses(i: Index, column: string): boolean {
  return (
    i.parts.some((p) => p.column === column || (p.expression !== undefined && mentions(p.expression, column))) ||
    i.include.includes(column) ||
    (i.predicate !== null && mentions(i.predicate, column))
  );
}

function constraintUses(c: Constraint, column: string): boolean {
  return c.columns.includes(column) || mentions(c.definition, column);
}

type PartType = 'index' | 'constraint' | 'foreign_key' | 'trigger' | 'policy';

/**
 * The change naming this part of the table (by its current name), if any. A change that only renames or comments
 * does not drop and create the part, so the part still has to be restored.
 */
function ownChange(ctx: PostgresPlanContext, table: TableRef, type: PartType, name: string): Change | 'none' | 'rename' {
  const change = ctx.changesOf(table.schema, table.name).find((c) => c.type === type && (c.current?.name ?? c.name) === name);
  if (!change) return 'none';
  if (change.action === 'changed' && change.attributes.every((a) => a.name === 'name' || a.name === 'comment')) return 'rename';
  return change;
}

/** The desired part that a current part becomes: same name, or the rename's target. */
function desiredPart<T extends { name: string }>(parts: readonly T[], name: string, own: Change | 'none' | 'rename', ctx: PostgresPlanContext, table: TableRef, type: PartType): T | undefined {
  if (own === 'rename') {
    const change = ctx.changesOf(table.schema, table.name).find((c) => c.type === type && c.current?.name === name);
    return parts.find((p) => p.name === change?.desired?.name);
  }
  return parts.find((p) => p.name === name);
}

/**
 * Creates again, in their desired form, the indexes, constraints and foreign keys of the current `table` that use
 * `column` and that no change of their own drops and creates. Call it when the plan drops and re-adds the column.
 */
export function restoreColumnParts(ctx: PostgresPlanContext, table: TableRef, column: string, index: number): void {
  const current = ctx.findTable(table.schema, table.name, 'current');
  const desired = ctx.findTable(table.schema, table.name, 'desired');
  if (!current || !desired) return;
  restore(ctx, table, 'constraint', current.constraints.filter((c) => constraintUses(c, column)), desired.constraints, (c) => {
    if (!ctx.has(SLOT.addConstraint, renderAddConstraint(table, c))) addConstraint(ctx, table, c, index, false);
  });
  restore(ctx, table, 'index', current.indexes.filter((i) => !i.constraint && indexUses(i, column)), desired.indexes, (i) => createIndex(ctx, table, i, index, false));
  restore(ctx, table, 'foreign_key', current.foreignKeys.filter((fk) => fk.columns.includes(column)), desired.foreignKeys, (fk) => {
    if (!ctx.has(SLOT.addForeignKey, renderAddConstraint(table, fk))) addForeignKey(ctx, table, fk, index, false);
  });
}

function restore<T extends Constraint | Index | ForeignKey>(
  ctx: PostgresPlanContext,
  table: TableRef,
  type: PartType,
  used: readonly T[],
  desired: readonly T[],
  create: (part: T) => void,
): void {
  for (const part of used) {
    if (isInheritedPart(part.attrs)) continue;
    const own = ownChange(ctx, table, type, part.name);
    if (typeof own === 'object') continue; // dropped and created (or only dropped) by its own change
    const target = desiredPart(desired, part.name, own, ctx, table, type);
    if (target) create(target);
  }
}

/** True when a trigger's definition names the column: `UPDATE OF col`, or `new.col`/`old.col` in its WHEN clause. */
function triggerUses(t: Trigger, column: string): boolean {
  const name = quoteIdent(column).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return mentions(t.definition, column) || new RegExp(`\\b(new|old)\\.${name}(?![\\w$"])`, 'i').test(t.definition);
}

function policyUses(p: Policy, column: string): boolean {
  return [p.using, p.withCheck].some((e) => e !== null && mentions(e, column));
}

/**
 * Drops, before `column` of `table` changes type, the triggers and policies that name it (PostgreSQL refuses the
 * change while they exist), and creates them again after in their desired form; those that do not name it stay.
 * One that a change of its own drops and creates is left to that change.
 */
export function rebuildColumnUsers(ctx: PostgresPlanContext, table: TableRef, column: string, index: number): void {
  const current = ctx.findTable(table.schema, table.name, 'current');
  const desired = ctx.findTable(table.schema, table.name, 'desired');
  if (!current || !desired) return;
  const on = tableName(table);
  for (const t of current.triggers.filter((x) => triggerUses(x, column) && !isInheritedPart(x.attrs))) {
    if (typeof ownChange(ctx, table, 'trigger', t.name) === 'object') continue;
    const drop = `DROP TRIGGER ${quoteIdent(t.name)} ON ${on};`;
    if (ctx.has(SLOT.dropTrigger, drop)) continue;
    ctx.add(index, { slot: SLOT.dropTrigger, sql: drop, comment: `drop trigger ${t.name} while ${table.name}.${column} changes type`, hazards: ['rebuild'] });
    const target = desired.triggers.find((x) => x.name === t.name);
    if (target) createTrigger(ctx, table, target, index);
  }
  for (const p of current.policies.filter((x) => policyUses(x, column))) {
    if (typeof ownChange(ctx, table, 'policy', p.name) === 'object') continue;
    const drop = `DROP POLICY ${quoteIdent(p.name)} ON ${on};`;
    if (ctx.has(SLOT.dropPolicy, drop)) continue;
    ctx.add(index, { slot: SLOT.dropPolicy, sql: drop, comment: `drop policy ${p.name} while ${table.name}.${column} changes type`, hazards: ['rebuild'] });
    const target = desired.policies.find((x) => x.name === p.name);
    if (target) createPolicy(ctx, table, target, index);
  }
}

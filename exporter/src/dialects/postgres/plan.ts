/**
 * The PostgreSQL planner: turns the differ's changes into an ordered, hazard-labelled SQL plan that makes the
 * current database look like the desired one.
 *
 * Order of the plan (each statement lands in a slot, see `plan-context.ts`):
 * 1. drop dependents: policies, triggers, views (reverse dependency order), foreign keys, constraints, indexes;
 * 2. create schemas, extensions, collations, types, sequences, functions;
 * 3. create tables (partition parents first), add and alter columns;
 * 4. drop extra columns, tables, sequences, functions, types, collations, extensions, schemas;
 * 5. create constraints, indexes, foreign keys, views (dependency order), materialized-view indexes, triggers, row
 *    level security, policies, comments, sequence ownership;
 * 6. GRANT and REVOKE (privileges are an opt-in of the inspector and differ, see `plan-privileges.ts`).
 *
 * Pass `options.current` (and `options.desired`) to let the planner rebuild views that the changes do not name but
 * that block a change (a view reading a column whose type changes, a view reading a view that is recreated).
 */
import type { Change, ViewChange } from '../../core/model/change.ts';
import type { Plan, PlannedStatement } from '../../core/model/plan.ts';
import { PostgresPlanContext, SLOT } from './plan-context.ts';
import type { PostgresPlanOptions } from './plan-context.ts';
import { planTable } from './plan-table.ts';
import { planColumn } from './plan-columns.ts';
import { planConstraint, planForeignKey, planIndex, planPolicy, planTrigger } from './plan-parts.ts';
import { planViews } from './plan-views.ts';
import { planExtension, planRoutine, planSchema, planSequence } from './plan-objects.ts';
import { planType } from './plan-types.ts';
import { planCollation } from './plan-collations.ts';
import { findRenameHints, renameHintLine } from '../../core/plan/rename-hints.ts';
import { sqlComment } from '../../core/render/sql-comment.ts';
import { tableName } from './ddl-table.ts';
import { quoteIdent } from './quote.ts';

export type { PostgresPlanOptions } from './plan-context.ts';

function planOne(ctx: PostgresPlanContext, change: Change, index: number): void {
  switch (change.type) {
    case 'schema':
      return planSchema(ctx, change, index);
    case 'extension':
      return planExtension(ctx, change, index);
    case 'table':
      return planTable(ctx, change, index);
    case 'column':
      return planColumn(ctx, change, index);
    case 'constraint':
      return planConstraint(ctx, change, index);
    case 'foreign_key':
      return planForeignKey(ctx, change, index);
    case 'trigger':
      return planTrigger(ctx, change, index);
    case 'policy':
      return planPolicy(ctx, change, index);
    case 'sequence':
      return planSequence(ctx, change, index);
    case 'type':
      return planType(ctx, change, index);
    case 'collation':
      return planCollation(ctx, change, index);
    case 'routine':
      return planRoutine(ctx, change, index);
    case 'index':
    case 'view':
      return; // planned in later passes, see planPostgres
    default: {
      const unknown: { type?: unknown } = change;
      throw ctx.error(index, `unknown change type ${JSON.stringify(unknown.type)}`);
    }
  }
}

/**
 * Plans SQL that turns the current database into the desired one. Throws {@link PlanError} for a change it cannot
 * render (it never emits an empty statement). Deterministic: the same changes and options give the same plan.
 */
export function planPostgres(changes: Change[], options: PostgresPlanOptions = {}): Plan {
  const ctx = new PostgresPlanContext(changes, options);
  // Views go after tables and types (which mark reshaped tables), indexes after views (a rebuilt materialized view
  // brings its indexes along).
  changes.forEach((change, index) => planOne(ctx, change, index));
  const views = changes.flatMap((change, index) => (change.type === 'view' ? [{ change: change as ViewChange, index }] : []));
  planViews(ctx, views);
  changes.forEach((change, index) => {
    if (change.type === 'index') planIndex(ctx, change, index);
  });
  for (let index = 0; index < changes.length; index += 1) {
    const before = ctx.statementCount(index);
    if (before === 0 && !ctx.isRefused(index) && !implied(changes, index)) throw ctx.error(index, 'no statement could be planned for it');
  }
  if (ctx.createsRoutines()) {
    ctx.add(null, { slot: SLOT.setup, sql: 'SET check_function_bodies = off;', comment: 'create function bodies without validating them (as pg_dump does)' });
  }
  const refused = ctx.refused();
  return { changes, statements: ctx.finish(), ...renameHints(changes), ...(refused.length ? { refused } : {}) };
}

/** The `RENAME` a person may prefer to a drop + add of the same definition (see `core/plan/rename-hints.ts`). */
function renameHints(changes: readonly Change[]): { hints?: string[] } {
  const hints = findRenameHints(changes).map((hint) => {
    const { from, to } = hint.rename;
    const sql = hint.table !== undefined
      ? `ALTER TABLE ${tableName({ schema: hint.schema, name: hint.table })} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)};`
      : `ALTER TABLE ${tableName({ schema: hint.schema, name: from })} RENAME TO ${quoteIdent(to)};`;
    return renameHintLine(hint, sql);
  });
  return hints.length ? { hints } : {};
}

/**
 * Changes that legitimately need no statement of their own: an index that backs a constraint (its constraint
 * change does the work), a part inherited by a partition (its parent's part reaches it), a part of a materialized
 * view that is recreated or dropped anyway.
 */
function implied(changes: Change[], index: number): boolean {
  const change = changes[index];
  if (!change) return false;
  if (change.type === 'index' || change.type === 'column' || change.type === 'constraint' || change.type === 'foreign_key' || change.type === 'trigger') return true;
  return false;
}

/** The plan as a runnable script: its hints (possible renames) as comment lines, then each statement preceded by its comment and hazards. Deterministic. */
export function renderPostgresPlanSql(plan: Plan): string {
  const hints = (plan.hints ?? []).map((hint) => `${sqlComment(hint)}\n\n`).join('');
  const refused = (plan.refused ?? []).map((r) => `${sqlComment(`refused: ${r.message}`)}\n\n`).join('');
  return refused + hints + plan.statements.map(renderStatement).join('\n\n') + (plan.statements.length ? '\n' : '');
}

function renderStatement(statement: PlannedStatement): string {
  const lines = [sqlComment(statement.comment)];
  if (statement.hazards.length) lines.push(sqlComment(`hazards: ${statement.hazards.join(', ')}`));
  if (statement.noTransaction) lines.push('-- runs outside a transaction block');
  lines.push(statement.sql);
  return lines.join('\n');
}

/**
 * The MySQL/MariaDB planner: turns the differ's changes into an ordered, hazard-labelled plan that makes the current
 * database look like the desired one.
 *
 * Order of the plan (see `SLOT` in `plan-context.ts`):
 * 1. drop triggers, views, routines, then foreign keys (so the indexes and columns they need can change), and events;
 * 2. create sequences and tables (without foreign keys);
 * 3. one combined ALTER TABLE per table: drop checks and indexes, drop/modify/add columns, add keys and checks,
 *    table options; then partitioning and system versioning on their own;
 * 4. drop tables and sequences;
 * 5. add foreign keys, create routines, views (dependency order) and triggers (in their FOLLOWS order); create and
 *    alter events (extra events are dropped in step 1).
 *
 * Every planned statement is one statement (a routine or trigger body is not split), so a driver can run them one
 * by one; {@link renderMysqlPlanSql} adds the `DELIMITER` lines the `mysql`/`mariadb` command-line client needs.
 */
import type { Change, ViewChange } from '../../core/model/change.ts';
import type { Plan, PlannedStatement } from '../../core/model/plan.ts';
import { findRenameHints, renameHintLine } from '../../core/plan/rename-hints.ts';
import { sqlComment } from '../../core/render/sql-comment.ts';
import { lexMysql } from './hooks-sql.ts';
import { MysqlPlanContext, type MysqlPlanOptions } from './plan-context.ts';
import { planColumn } from './plan-columns.ts';
import { planEvent, planRoutine, planSequence, planView, rankViews } from './plan-objects.ts';
import { planConstraint, planForeignKey, planIndex, planTrigger } from './plan-parts.ts';
import { planTable } from './plan-table.ts';
import { quoteIdent } from './quote.ts';

export type { MysqlPlanOptions } from './plan-context.ts';

function planOne(ctx: MysqlPlanContext, change: Change, index: number, ranks: Map<string, number>): void {
  switch (change.type) {
    case 'table':
      return planTable(ctx, change, index);
    case 'column':
      return planColumn(ctx, change, index);
    case 'constraint':
      return planConstraint(ctx, change, index);
    case 'index':
      return planIndex(ctx, change, index);
    case 'foreign_key':
      return planForeignKey(ctx, change, index);
    case 'trigger':
      return planTrigger(ctx, change, index);
    case 'view':
      return planView(ctx, change, index, ranks);
    case 'routine':
      return planRoutine(ctx, change, index);
    case 'sequence':
      return planSequence(ctx, change, index);
    case 'event':
      return planEvent(ctx, change, index);
    case 'schema':
      throw ctx.error(index, 'a MySQL plan runs inside one database; inspect both sides under the same schema name');
    default:
      throw ctx.error(index, `MySQL has no ${change.type.replace('_', ' ')} objects`);
  }
}

function viewRanks(changes: readonly Change[], options: MysqlPlanOptions): Map<string, number> {
  const fromChanges = changes.flatMap((c) => (c.type === 'view' && (c as ViewChange).desired ? [(c as ViewChange).desired!] : []));
  const desired = options.desired?.schemas.flatMap((s) => s.views) ?? [];
  return rankViews([...desired, ...fromChanges]);
}

/**
 * Plans SQL that turns the current database into the desired one. Pass the snapshots the changes were computed from
 * (`current` for foreign keys that block a column change and the server's INSTANT abilities, `desired` for view and
 * trigger order). Throws {@link PlanError} for a change it cannot render; never emits an empty statement.
 * Deterministic: the same changes and options give the same plan.
 */
export function planMysql(changes: Change[], options: MysqlPlanOptions = {}): Plan {
  const ctx = new MysqlPlanContext(changes, options);
  const ranks = viewRanks(changes, options);
  changes.forEach((change, index) => planOne(ctx, change, index, ranks));
  changes.forEach((_change, index) => {
    if (!ctx.planned.has(index)) throw ctx.error(index, 'no statement could be planned for it');
  });
  return { changes, statements: ctx.finish(), ...renameHints(changes) };
}

/** The `RENAME` a person may prefer to a drop + add of the same definition (see `core/plan/rename-hints.ts`). */
function renameHints(changes: readonly Change[]): { hints?: string[] } {
  const hints = findRenameHints(changes).map((hint) => {
    const { from, to } = hint.rename;
    const sql = hint.table !== undefined
      ? `ALTER TABLE ${quoteIdent(hint.table)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)};`
      : `RENAME TABLE ${quoteIdent(from)} TO ${quoteIdent(to)};`;
    return renameHintLine(hint, sql);
  });
  return hints.length ? { hints } : {};
}

/** True when the statement holds a `;` before its end (a compound body): the CLI would split it there. */
export function needsDelimiter(sql: string): boolean {
  const body = sql.trim().replace(/;$/, '');
  return lexMysql(body).some((s) => s.kind === 'code' && s.text.includes(';'));
}

/** A delimiter that does not occur in `sql`. */
function delimiterFor(sql: string): string {
  return ['$$', '//', ';;', '$$$'].find((d) => !sql.includes(d)) ?? '@@@';
}

function renderStatement(statement: PlannedStatement): string {
  const lines = [sqlComment(statement.comment)];
  if (statement.hazards.length) lines.push(sqlComment(`hazards: ${statement.hazards.join(', ')}`));
  if (!needsDelimiter(statement.sql)) {
    lines.push(statement.sql);
    return lines.join('\n');
  }
  const delimiter = delimiterFor(statement.sql);
  lines.push(`DELIMITER ${delimiter}`, `${statement.sql.trim().replace(/;$/, '')}${delimiter}`, 'DELIMITER ;');
  return lines.join('\n');
}

/**
 * The plan as a script the `mysql`/`mariadb` client runs as it is: the plan's hints (possible renames) as comment
 * lines first, then each statement preceded by its comment and hazards, compound bodies (triggers, routines) wrapped
 * in `DELIMITER` lines. Deterministic.
 */
export function renderMysqlPlanSql(plan: Plan): string {
  const hints = (plan.hints ?? []).map((hint) => `${sqlComment(hint)}\n\n`).join('');
  return hints + plan.statements.map(renderStatement).join('\n\n') + (plan.statements.length ? '\n' : '');
}

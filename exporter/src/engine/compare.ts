/**
 * The comparison: both sides filtered alike (the target's schemas and excludes, plus the migration tools' revision
 * tables, which are never part of a diff), diffed with the dialect's hooks and planned with its planner.
 */
import type { DiffOptions } from '../core/diff/options.ts';
import { diffSchemas } from '../core/diff/diff.ts';
import { filterSnapshot, type FilterKind, mergeExcludes, type ObjectFilter } from '../core/diff/filter.ts';
import { PlanError } from '../core/errors.ts';
import { withPossibleRenames } from '../core/plan/rename-hints.ts';
import type { Change } from '../core/model/change.ts';
import type { Plan } from '../core/model/plan.ts';
import type { SchemaSnapshot } from '../core/model/schema.ts';
import type { Dialect } from '../dialects/dialect.ts';
import type { ReportFacts, ReportReconcile } from '../core/report/build.ts';
import { revisionExcludeFilter } from '../revision/revision-state.ts';

/** What to compare. */
export interface CompareRequest {
  readonly current: SchemaSnapshot;
  readonly desired: SchemaSnapshot;
  /** The user's schemas and excludes; the revision tables are added here. */
  readonly filter?: ObjectFilter;
  /** Exclude globs the desired side asks for (`DesiredSide.unchecked`: what pending re-runnable migrations define). */
  readonly unchecked?: Partial<Record<FilterKind, string[]>>;
  readonly options?: DiffOptions;
}

/** Both sides as compared, the changes, and the plan or why there is none. */
export interface Comparison {
  /** Both sides after filtering. */
  readonly current: SchemaSnapshot;
  readonly desired: SchemaSnapshot;
  readonly changes: Change[];
  /** The reconcile plan, or the planner's error: a change it cannot render does not fail a check. */
  readonly plan: Plan | { readonly error: PlanError };
}

/** `filter` plus the migration tools' revision tables and schemas, and any further excludes given. */
export function withRevisionExcludes(filter: ObjectFilter = {}, ...more: Partial<Record<FilterKind, string[]>>[]): ObjectFilter {
  const exclude = mergeExcludes([filter.exclude ?? {}, revisionExcludeFilter(), ...more]);
  return { ...(filter.schemas ? { schemas: filter.schemas } : {}), exclude };
}

/** Filters, diffs (marking possible renames) and plans. */
export function compare(dialect: Dialect, request: CompareRequest): Comparison {
  const filter = withRevisionExcludes(request.filter, request.unchecked ?? {});
  const current = filterSnapshot(request.current, filter);
  const desired = filterSnapshot(request.desired, filter);
  const changes = withPossibleRenames(diffSchemas({ current, desired, hooks: dialect.hooks, options: request.options }));
  return { current, desired, changes, plan: planOrError(dialect, changes, current, desired) };
}

function planOrError(dialect: Dialect, changes: Change[], current: SchemaSnapshot, desired: SchemaSnapshot): Plan | { error: PlanError } {
  try {
    return dialect.plan(changes, { current, desired });
  } catch (err) {
    if (err instanceof PlanError) return { error: err };
    throw err;
  }
}

/** The plan, or its error thrown (for callers that print SQL and have no report to carry the error). */
export function planOf(comparison: Comparison): Plan {
  if ('error' in comparison.plan) throw comparison.plan.error;
  return comparison.plan;
}

/** What a report takes from a comparison: both sides, the changes, the reconcile plan and script, both sides' DDL. */
export type ReportParts = Pick<ReportFacts, 'current' | 'desired' | 'changes' | 'ddl'> & ReportReconcile;

/** The comparison rendered for a report by its dialect: the plan's script (or the planner's error) and the DDL. */
export function reportParts(dialect: Dialect, comparison: Comparison): ReportParts {
  const { current, desired, changes, plan } = comparison;
  const ddl = { desired: dialect.renderDdl(desired), current: dialect.renderDdl(current) };
  if ('error' in plan) return { current, desired, changes, ddl, planError: plan.error.describe() };
  return { current, desired, changes, ddl, plan, reconcileSql: dialect.renderPlanSql(plan) };
}

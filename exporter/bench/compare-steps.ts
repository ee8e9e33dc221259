/**
 * The diff and plan steps of one size, PostgreSQL and MySQL alike: the engine's `compare` (both sides filtered as a
 * check filters them, diffed with the dialect's hooks, planned with its planner), timed once. The plan is timed inside
 * that same call through a wrapper around the dialect's `plan`, so the three rows split one run rather than adding up
 * separate ones: "diff" is filter + diff (the call up to the planner), "plan" the planner, "diff + plan" the call.
 */
import type { Change } from '../src/core/model/change.ts';
import type { Plan } from '../src/core/model/plan.ts';
import type { SchemaSnapshot } from '../src/core/model/schema.ts';
import type { Dialect } from '../src/dialects/dialect.ts';
import { compare, planOf, type Comparison } from '../src/engine/compare.ts';
import { measureInProcess, measurementBetween, memoryMark, type Measurement, type MemoryMark } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

/** One size's two snapshots and how its rows are named. */
export interface CompareInput {
  readonly size: number;
  readonly dialect: Dialect;
  /** The live side: the drifted database. */
  readonly current: SchemaSnapshot;
  /** Plays the migrations' desired schema: the base database. */
  readonly desired: SchemaSnapshot;
  /** The row name of a step, e.g. with a `mysql: ` prefix. */
  readonly step: (name: string) => string;
  /** Target and verdict of the "diff + plan" row, from its wall time. */
  readonly totalTarget?: (wallMs: number) => Pick<StepRecord, 'target' | 'verdict'>;
}

/** `21 changes: column changed 7, table extra 3, ...` — what the differ found, to compare with the drift edits. */
export function summarizeChanges(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(`${c.type} ${c.action}`, (counts.get(`${c.type} ${c.action}`) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
  return `${changes.length} changes: ${parts.join(', ')}`;
}

/**
 * Rows "diff drifted -> base", "plan" and "diff + plan". A comparison that fails before planning is recorded on the
 * diff row, a planner that fails (an error `compare` returns or one it throws) on the plan row; the rows after a
 * failed one are left out.
 */
export async function compareSteps(input: CompareInput): Promise<StepRecord[]> {
  const { size, step } = input;
  let start: MemoryMark | undefined;
  let planned: { changes: Change[]; start: MemoryMark; end?: MemoryMark } | undefined;
  // The registry's dialect with its planner between two marks; `compare` uses nothing else of it but the hooks.
  const timed: Dialect = {
    ...input.dialect,
    plan(changes, sides) {
      const current = { changes, start: memoryMark() };
      planned = current;
      try {
        return input.dialect.plan(changes, sides);
      } finally {
        planned = { ...current, end: memoryMark() };
      }
    },
  };
  const diffRecord = (from: MemoryMark, to: MemoryMark, changes: readonly Change[]): StepRecord =>
    recordOf(size, step('diff drifted -> base'), measurementBetween(from, to), { detail: summarizeChanges(changes) });

  let run: { value: Comparison; measurement: Measurement };
  try {
    run = await measureInProcess(() => {
      start = memoryMark();
      return compare(timed, { current: input.current, desired: input.desired });
    });
  } catch (err) {
    if (!start || !planned) return [failedRecord(size, step('diff drifted -> base'), err)];
    return [diffRecord(start, planned.start, planned.changes), failedRecord(size, step('plan'), err)];
  }
  const { value: comparison, measurement: total } = run;
  if (!start || !planned?.end) return [failedRecord(size, step('plan'), 'compare returned without planning')];
  const records = [diffRecord(start, planned.start, comparison.changes)];
  let plan: Plan;
  try {
    plan = planOf(comparison);
  } catch (err) {
    records.push(failedRecord(size, step('plan'), err));
    return records;
  }
  const hazards = plan.statements.filter((s) => s.hazards.length > 0).length;
  records.push(recordOf(size, step('plan'), measurementBetween(planned.start, planned.end), {
    detail: `${plan.statements.length} statements, ${hazards} with hazards`,
  }));
  records.push(recordOf(size, step('diff + plan'), total, input.totalTarget?.(total.wallMs) ?? {}));
  return records;
}
